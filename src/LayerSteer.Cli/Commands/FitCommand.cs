using System.CommandLine;
using System.Globalization;
using LayerSteer.Experiments;
using LayerSteer.Hub;
using LayerSteer.Intervention;
using LayerSteer.Tasks;
using LayerSteer.Verification;
using Spectre.Console;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer fit`: learns Δ for a task from N examples (at the o_proj input or the block output) and writes the vector file.</summary>
public static class FitCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var task = new TaskOptions();
        var fit = new FitCliOptions();
        var seed = CliOptions.Seed();
        var output = CliOptions.Out("vector (.safetensors)");
        var verbose = new Option<bool>("--verbose")
        {
            Description = "A line per step on stderr (loss, seconds, anonymous memory and its peak, the mapped weights' resident pages) instead of the bar",
        };
        var cmd = new Command("fit", "Fit a task vector Δ (sparse group lasso, suffix path) and save it.") { model, seed, output, verbose };
        task.AddTo(cmd);
        fit.AddTo(cmd);
        cmd.SetAction(pr =>
        {
            string path = ModelBundle.Locate(pr.GetValue(model)!), outPath = pr.GetValue(output)!;
            var pairs = task.Resolve(pr, path);
            var split = task.Split(pr, pairs, pr.GetValue(seed));
            var template = task.TemplateOf(pr);
            CliOptions.CheckWritable(outPath);
            var b = ModelBundle.Open(path);
            var s = fit.Settings(pr, b.Model.Config.NumLayers);
            var enc = new TaskEncoder(b.RequireTokenizer(), template);
            Func<Action<FitStep>, (FitResult, TimeSpan)> run = report => VectorTraining.FitAndSave(b.Model, enc, pairs, split, s, outPath, report);
            long? peak = null;
            (FitResult result, TimeSpan elapsed) fitted;
            if (pr.GetValue(verbose)) (fitted, peak) = Progress.FitVerbose(s.Fit.Steps, b.Model.Config.NumHeads, run);
            else fitted = Progress.Fit(s.Fit.Steps, b.Model.Config.NumHeads, run);
            Summarise(pairs, s, fitted.result, fitted.elapsed, outPath, peak);
            return 0;
        });
        return cmd;
    }

    static void Summarise(TaskPairs task, VectorSettings s, FitResult r, TimeSpan t, string outPath, long? peakAnonymous)
    {
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().AddColumns("", "").HideHeaders();
        void Row(string k, string v) => table.AddRow(Markup.Escape(k), Markup.Escape(v));
        Row("task", task.Name);
        Row("layer", $"{s.Layer} (0-based)");
        Row("site", $"{VectorSites.CliName(s.Site)}, apply {ApplyModes.Name(s.Apply)}");
        Row("steps", $"{r.Steps} ({r.StopReason}), {t.TotalSeconds.ToString("F1", inv)} s");
        Row("task loss", $"{r.InitialLoss.ToString("F4", inv)} → {r.Loss.ToString("F4", inv)}");
        Row("objective", r.Objective.ToString("F4", inv));
        bool heads = s.Site == VectorSite.OProjInput;   // the residual stream has no heads
        if (heads) Row("nonzero heads", $"{r.NonzeroHeads.Length} [{string.Join(", ", r.NonzeroHeads)}]");
        Row("nonzero entries", r.NonzeroEntries.ToString(inv));
        Row("vector", outPath);
        if (peakAnonymous is long p) Row("peak anonymous memory", ProcessMemory.Format(p) + (ProcessMemory.Now() is { } m ? $" (file-backed now {ProcessMemory.Format(m.FileBytes)})" : ""));
        AnsiConsole.Write(table);
        Console.WriteLine(string.Format(inv, "fit loss={0:F4} objective={1:F4} {2}nonzero_entries={3} steps={4}{5}",
            r.Loss, r.Objective, heads ? $"nonzero_heads={r.NonzeroHeads.Length} " : "", r.NonzeroEntries, r.Steps,
            peakAnonymous is long q ? string.Format(inv, " seconds={0:F1} peak_anon_mib={1}", t.TotalSeconds, q >> 20) : ""));
    }
}
