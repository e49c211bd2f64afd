using System.CommandLine;
using System.Globalization;
using LayerSteer.Experiments;
using LayerSteer.Hub;
using LayerSteer.Intervention;
using LayerSteer.Tasks;
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
        var cmd = new Command("fit", "Fit a task vector Δ (sparse group lasso, suffix path) and save it.") { model, seed, output };
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
            var (result, elapsed) = Progress.Fit(s.Fit.Steps, b.Model.Config.NumHeads, report => VectorTraining.FitAndSave(b.Model, enc, pairs, split, s, outPath, report));
            Summarise(pairs, s, result, elapsed, outPath);
            return 0;
        });
        return cmd;
    }

    static void Summarise(TaskPairs task, VectorSettings s, FitResult r, TimeSpan t, string outPath)
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
        AnsiConsole.Write(table);
        Console.WriteLine(string.Format(inv, "fit loss={0:F4} objective={1:F4} {2}nonzero_entries={3} steps={4}",
            r.Loss, r.Objective, heads ? $"nonzero_heads={r.NonzeroHeads.Length} " : "", r.NonzeroEntries, r.Steps));
    }
}
