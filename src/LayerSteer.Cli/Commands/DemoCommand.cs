using System.CommandLine;
using System.Globalization;
using LayerSteer.Experiments;
using LayerSteer.Hub;
using Spectre.Console;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer demo`: fits an antonym vector on the default (or given) model and compares it with 0-shot and
/// 10-shot prompting on held-out words.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model(defaulted: false);
        var cmd = new Command("demo", "Fit an antonym vector on a local model and compare it with prompting on held-out words.") { model };
        cmd.SetAction(pr =>
        {
            string? spec = pr.GetValue(model) ?? DefaultModel.Find();
            if (spec == null)
            {
                Console.WriteLine($"No model found: set LAYERSTEER_MODEL or pass --model (looked for {DefaultModel.Describe}).");
                Console.WriteLine("Get a real one with `layersteer download ORG/NAME` (e.g. HuggingFaceTB/SmolLM2-135M), then `layersteer demo --model ORG/NAME`.");
                return 0;
            }
            string path = ModelBundle.Locate(spec);
            var task = new TaskOptions().Resolve(pr, Demo.TaskName, path);
            var b = ModelBundle.Open(path);
            var c = b.Model.Config;
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(b.Path)}[/]: {c.ModelType}, {c.NumLayers} layers, site width {c.SiteWidth}");
            var r = Progress.Fit(VectorSettings.Default(c.NumLayers).Fit.Steps, c.NumHeads, report => Demo.Run(b.Model, b.RequireTokenizer(), task, report));
            Print(r, c.NumHeads, c.SiteWidth);
            return 0;
        });
        return cmd;
    }

    static void Print(DemoResult r, int heads, int width)
    {
        var inv = CultureInfo.InvariantCulture;
        AnsiConsole.MarkupLine($"Task [bold]{Markup.Escape(r.Task.Name)}[/] ({r.Task.Pairs.Length} pairs), template {RunDefaults.Template.Name}, N = {r.Split.Train.Length} training pairs, " +
                               $"{r.Split.Test.Length} held-out words, layer {r.Settings.Layer} (0-based), lr {r.Settings.Fit.Lr.ToString(inv)}, {r.Settings.Fit.Steps} steps.");
        var t = new Table().AddColumns("method", "first-token", "exact match").Title("held-out words");
        foreach (var (name, e) in new[] { ("0-shot", r.ZeroShot), ("10-shot", r.FewShot), ("Δ vector", r.Vector) })
            t.AddRow(name, e.FirstToken.ToString("F2", inv), e.ExactMatch.ToString("F2", inv));
        AnsiConsole.Write(t);
        AnsiConsole.MarkupLine($"Δ: task loss {r.Fit.InitialLoss.ToString("F3", inv)} → {r.Fit.Loss.ToString("F3", inv)} in {r.Fit.Steps} steps; " +
                               $"{r.Fit.NonzeroHeads.Length}/{heads} heads, {r.Fit.NonzeroEntries}/{width} entries nonzero; " +
                               $"training pairs exact match {r.VectorOnTrain.ExactMatch.ToString("F2", inv)}.");
        var ex = new Table().AddColumns("input", "target", "0-shot", "10-shot", "Δ vector");
        for (int i = 0; i < Math.Min(8, r.Split.Test.Length); i++)
            ex.AddRow(Markup.Escape(r.Split.Test[i].Input), Markup.Escape(r.Split.Test[i].Output), Markup.Escape(r.ZeroShot.Items[i].Prediction),
                Markup.Escape(r.FewShot.Items[i].Prediction), Markup.Escape(r.Vector.Items[i].Prediction));
        AnsiConsole.Write(ex);
        Console.WriteLine(string.Format(inv, "demo zero_shot={0:F2} few_shot={1:F2} vector={2:F2} nonzero_entries={3} (exact match, held-out)",
            r.ZeroShot.ExactMatch, r.FewShot.ExactMatch, r.Vector.ExactMatch, r.Fit.NonzeroEntries));
    }
}
