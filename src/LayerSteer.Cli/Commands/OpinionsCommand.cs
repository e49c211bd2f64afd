using System.CommandLine;
using System.Globalization;
using LayerSteer.Experiments;
using LayerSteer.Hub;
using LayerSteer.Tasks;
using Spectre.Console;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer opinions`: steer the answer distribution toward population groups (the paper's Table 3).</summary>
public static class OpinionsCommand
{
    public static Command Create()
    {
        var defaults = new OpinionSettings();
        var model = CliOptions.Model();
        var data = new Option<string?>("--data") { Description = "OpinionQA human_resp folder (or one wave), or your own survey .jsonl/.csv (default ../shared/data/opinionqa/human_resp)" };
        var groups = new Option<string>("--groups") { Description = "ATTR=value;ATTR=value (OpinionQA only)", DefaultValueFactory = _ => OpinionSettings.DefaultGroups };
        var seeds = CliOptions.Seeds("per group");
        var train = new Option<int>("--train") { Description = "Training questions N", DefaultValueFactory = _ => defaults.Train };
        var test = new Option<int>("--test") { Description = "Held-out questions", DefaultValueFactory = _ => defaults.Test };
        var json = new Option<string?>("--json") { Description = "Write per-group, per-seed KL to this JSON file" };
        var fit = new FitCliOptions();
        var cmd = new Command("opinions", "Fit group-opinion vectors (KL objective) and compare with 0-shot and 10-shot (Table 3).") { model, data, groups, seeds, train, test, json };
        fit.AddOptimiserTo(cmd);
        cmd.SetAction(pr =>
        {
            string path = ModelBundle.Locate(pr.GetValue(model)!);
            string dataPath = pr.GetValue(data) ?? SharedData.PathTo("data", "opinionqa", "human_resp")
                ?? throw new LayerSteerException("no --data given and ../shared/data/opinionqa not found");
            var sets = OpinionsExperiment.Load(dataPath, pr.GetValue(groups)!);
            if (pr.GetValue(json) is string jp) CliOptions.CheckWritable(jp, "--json");
            var b = ModelBundle.Open(path);
            var s = fit.Settings(pr, b.Model.Config.NumLayers);
            var o = new OpinionSettings(pr.GetValue(train), pr.GetValue(test), pr.GetValue(seeds));
            var rows = new List<OpinionGroupResult>();
            Progress.Count("groups", sets.Count * o.Seeds, step => rows = OpinionsExperiment.Run(b.Model, b.RequireTokenizer(), sets, s, o, step));
            var inv = CultureInfo.InvariantCulture;
            string Cell(IEnumerable<double> xs) { var (m, sd) = Scoring.MeanStd(xs.ToArray()); return $"{m.ToString("F3", inv)} ± {sd.ToString("F3", inv)}"; }
            var t = new Table().AddColumns("group", "questions", "0-shot KL", "10-shot KL", "vector KL", "vector heads").Title("mean KL(model ‖ group) on held-out questions (lower is better)");
            foreach (var r in rows)
                t.AddRow(Markup.Escape(r.Group), r.Questions.ToString(inv), Cell(r.Scores.Select(x => x.ZeroShot)), Cell(r.Scores.Select(x => x.FewShot)), Cell(r.Scores.Select(x => x.Vector)),
                    r.Scores.Average(x => x.Fit.NonzeroHeads.Length).ToString("F1", inv));
            AnsiConsole.Write(t);
            foreach (var g in sets.Where(g => g.Report.Skipped.Count > 0)) Console.Error.WriteLine($"{g.Group}: {g.Report.Summary()}");
            if (pr.GetValue(json) is string jsonPath) OpinionsExperiment.WriteJson(jsonPath, rows);
            Console.WriteLine(string.Format(inv, "opinions avg_kl zero={0:F4} few={1:F4} vector={2:F4}", OpinionsExperiment.Average(rows, x => x.ZeroShot),
                OpinionsExperiment.Average(rows, x => x.FewShot), OpinionsExperiment.Average(rows, x => x.Vector)));
            return 0;
        });
        return cmd;
    }
}
