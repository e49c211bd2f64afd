using System.Diagnostics;
using System.Globalization;
using LayerSteer.Intervention;
using LayerSteer.Verification;
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

    /// <summary>Runs a Δ fit printing a line per step on stderr instead of a bar: loss, objective, support, the step's seconds
    /// (step 0's include running the prompts once), the process's anonymous memory and its peak, and the file-backed pages
    /// (a mapped model's weights, which are not copied). Returns the run's result and its anonymous peak.</summary>
    public static (T Result, long PeakAnonymousBytes) FitVerbose<T>(int steps, int heads, Func<Action<FitStep>, T> run)
    {
        using var peak = new AnonymousPeak();
        var clock = Stopwatch.StartNew();
        var result = run(st =>
        {
            var now = ProcessMemory.Now();
            string memory = now is null ? "memory n/a" : $"anon {ProcessMemory.Format(now.AnonymousBytes)} (peak {ProcessMemory.Format(peak.Bytes)}), file-backed {ProcessMemory.Format(now.FileBytes)}";
            Console.Error.WriteLine(string.Format(CultureInfo.InvariantCulture, "step {0}/{1} loss {2:F4} objective {3:F4} heads {4}/{5} entries {6}  {7:F2} s  {8}",
                st.Step, steps, st.Loss, st.Objective, st.NonzeroHeads, heads, st.NonzeroEntries, clock.Elapsed.TotalSeconds, memory));
            clock.Restart();
        });
        return (result, peak.Bytes);
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
