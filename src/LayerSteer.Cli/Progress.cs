using System.Globalization;
using LayerSteer.Intervention;
using Spectre.Console;

namespace LayerSteer.Cli;

/// <summary>Progress bars on stderr (stdout stays machine-readable).</summary>
public static class Progress
{
    /// <summary>Runs a Δ fit with a bar showing step, loss and nonzero heads.</summary>
    public static T Fit<T>(int steps, int heads, Func<Action<FitStep>, T> run)
    {
        T result = default!;
        CliHost.Err.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn()).Start(ctx =>
        {
            var bar = ctx.AddTask("fitting", maxValue: steps);
            result = run(st =>
            {
                bar.Value = st.Step;
                bar.Description = string.Format(CultureInfo.InvariantCulture, "step {0} loss {1:F4} heads {2}/{3}", st.Step, st.Loss, st.NonzeroHeads, heads);
            });
            bar.Value = bar.MaxValue;
        });
        return result;
    }

    /// <summary>Runs <paramref name="total"/> units of work with a bar whose description the work sets.</summary>
    public static void Count(string name, int total, Action<Action<string>> run, bool remaining = false)
    {
        var columns = new List<ProgressColumn> { new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn() };
        if (remaining) columns.Add(new RemainingTimeColumn());
        CliHost.Err.Progress().Columns(columns.ToArray()).Start(ctx =>
        {
            var bar = ctx.AddTask(name, maxValue: Math.Max(1, total));
            run(description => { bar.Description = description; bar.Increment(1); });
            bar.Value = bar.MaxValue;
        });
    }
}
