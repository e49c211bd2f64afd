using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tasks;
using Spectre.Console;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer fit`: learns Δ for a task from N examples and writes the vector file.</summary>
public static class FitCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var task = new TaskOptions();
        var fit = new FitCliOptions();
        var seed = CliOptions.Seed();
        var output = new Option<string>("--out") { Description = "Where to write the vector (.safetensors)", Required = true };
        var cmd = new Command("fit", "Fit a task vector Δ (sparse group lasso, suffix path) and save it.") { model, seed, output };
        task.AddTo(cmd);
        fit.AddTo(cmd);
        cmd.SetAction(pr =>
        {
            var b = ModelBundle.Open(pr.GetValue(model)!);
            var pairs = task.Resolve(pr, b.Path);
            var template = PromptTemplate.Parse(pr.GetValue(task.Template)!);
            var split = TaskSplit.Make(pairs, pr.GetValue(task.Shots), pr.GetValue(task.TestSize), pr.GetValue(seed));
            var s = fit.Settings(pr, b.Model.Config.NumLayers);
            var enc = new TaskEncoder(b.RequireTokenizer(), template);
            var sw = Stopwatch.StartNew();
            var result = Run(b.Model, enc, split, s, pr.GetValue(output)!);
            var vec = VectorTraining.ToVector(b.Model, pairs, template, split, s, result);
            vec.Save(pr.GetValue(output)!);
            Summarise(pairs, s, result, sw.Elapsed, pr.GetValue(output)!);
            return 0;
        });
        return cmd;
    }

    /// <summary>Fits with a progress bar on stderr; a divergence saves the last good Δ beside the output and re-throws.</summary>
    public static FitResult Run(Transformer model, TaskEncoder enc, TaskSplit split, VectorSettings s, string? outPath = null)
    {
        FitResult? result = null;
        try
        {
            CliHost.Err.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn()).Start(ctx =>
            {
                var bar = ctx.AddTask("fitting", maxValue: s.Fit.Steps);
                result = VectorTraining.Fit(model, enc, split.Train, s, st =>
                {
                    bar.Value = st.Step;
                    bar.Description = string.Format(CultureInfo.InvariantCulture, "step {0} loss {1:F4} heads {2}/{3}",
                        st.Step, st.Loss, st.NonzeroHeads, model.Config.NumHeads);
                });
                bar.Value = bar.MaxValue;
            });
        }
        catch (FitDivergedException e) when (outPath != null)
        {
            string keep = Path.ChangeExtension(outPath, ".lastgood.safetensors");
            new SteeringVector(e.LastGoodDelta, SteeringVector.BaseMetadata(model, s.Layer, s.Apply)).Save(keep);
            throw new LayerSteerException($"{e.Message} Saved to {keep}.");
        }
        return result!;
    }

    static void Summarise(TaskPairs task, VectorSettings s, FitResult r, TimeSpan t, string outPath)
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().AddColumns("", "").HideHeaders();
        void Row(string k, string v) => table.AddRow(Markup.Escape(k), Markup.Escape(v));
        Row("task", task.Name);
        Row("layer", $"{s.Layer} (0-based)");
        Row("steps", $"{r.Steps} ({r.StopReason}), {t.TotalSeconds.ToString("F1", inv)} s");
        Row("task loss", $"{r.History[0].Loss.ToString("F4", inv)} → {r.Loss.ToString("F4", inv)}");
        Row("objective", r.Objective.ToString("F4", inv));
        Row("nonzero heads", $"{r.NonzeroHeads.Length} [{string.Join(", ", r.NonzeroHeads)}]");
        Row("nonzero entries", r.NonzeroEntries.ToString(inv));
        Row("vector", outPath);
        AnsiConsole.Write(table);
        Console.WriteLine(string.Format(inv, "fit loss={0:F4} objective={1:F4} nonzero_heads={2} nonzero_entries={3} steps={4}",
            r.Loss, r.Objective, r.NonzeroHeads.Length, r.NonzeroEntries, r.Steps));
    }
}
