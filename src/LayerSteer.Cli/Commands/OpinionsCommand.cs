using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LayerSteer.Formats;
using LayerSteer.Hub;
using LayerSteer.Models;
using LayerSteer.Tasks;
using LayerSteer.Tasks.Opinions;
using Spectre.Console;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer opinions`: steer the answer distribution toward population groups (the paper's Table 3).</summary>
public static class OpinionsCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var data = new Option<string?>("--data") { Description = "OpinionQA human_resp folder (or one wave), or your own survey .jsonl/.csv (default ../shared/data/opinionqa/human_resp)" };
        var groups = new Option<string>("--groups") { Description = "ATTR=value;ATTR=value (OpinionQA only)", DefaultValueFactory = _ => "INCOME=$100,000 or more;INCOME=Less than $30,000;POLIDEOLOGY=Moderate;CREGION=Northeast" };
        var seeds = CliOptions.Seeds("per group");
        var train = new Option<int>("--train") { Description = "Training questions N", DefaultValueFactory = _ => 10 };
        var test = new Option<int>("--test") { Description = "Held-out questions", DefaultValueFactory = _ => 100 };
        var json = new Option<string?>("--json") { Description = "Write per-group, per-seed KL to this JSON file" };
        var fit = new FitCliOptions();
        var cmd = new Command("opinions", "Fit group-opinion vectors (KL objective) and compare with 0-shot and 10-shot (Table 3).") { model, data, groups, seeds, train, test, json };
        fit.AddOptimiserTo(cmd);
        cmd.SetAction(pr =>
        {
            var b = ModelBundle.Open(pr.GetValue(model)!);
            var steering = new OpinionSteering(b.Model, b.RequireTokenizer());
            var s = fit.Settings(pr, b.Model.Config.NumLayers);
            var sets = Load(pr.GetValue(data), pr.GetValue(groups)!);
            var inv = CultureInfo.InvariantCulture;
            var rows = new List<(string Group, int Questions, List<OpinionScores> Scores)>();
            CliHost.Err.Progress().Start(ctx =>
            {
                var bar = ctx.AddTask("groups", maxValue: sets.Count * pr.GetValue(seeds));
                foreach (var g in sets)
                {
                    var scores = new List<OpinionScores>();
                    for (int seed = 0; seed < pr.GetValue(seeds); seed++)
                    {
                        bar.Description = $"{g.Group} seed {seed}";
                        scores.Add(steering.Run(OpinionSplit.Make(g.Examples, seed, pr.GetValue(train), pr.GetValue(test)), s));
                        bar.Increment(1);
                    }
                    rows.Add((g.Group, g.Examples.Count, scores));
                }
            });
            string Cell(IEnumerable<double> xs) { var (m, sd) = Scoring.MeanStd(xs.ToArray()); return $"{m.ToString("F3", inv)} ± {sd.ToString("F3", inv)}"; }
            var t = new Table().AddColumns("group", "questions", "0-shot KL", "10-shot KL", "vector KL", "vector heads").Title("mean KL(model ‖ group) on held-out questions (lower is better)");
            foreach (var (g, n, sc) in rows)
                t.AddRow(Markup.Escape(g), n.ToString(inv), Cell(sc.Select(x => x.ZeroShot)), Cell(sc.Select(x => x.FewShot)), Cell(sc.Select(x => x.Vector)),
                    sc.Average(x => x.Fit.NonzeroHeads.Length).ToString("F1", inv));
            AnsiConsole.Write(t);
            foreach (var g in sets.Where(g => g.Report.Skipped.Count > 0)) Console.Error.WriteLine($"{g.Group}: {g.Report.Summary()}");
            if (pr.GetValue(json) is string jp)
                AtomicFile.Write(jp, st => JsonSerializer.Serialize(st, rows.Select(r => new
                {
                    group = r.Group, questions = r.Questions,
                    seeds = r.Scores.Select((x, i) => new { seed = i, zero_shot = x.ZeroShot, few_shot = x.FewShot, vector = x.Vector, nonzero_heads = x.Fit.NonzeroHeads, fit_loss = x.Fit.Loss }),
                }), new JsonSerializerOptions { WriteIndented = true }));
            double Avg(Func<OpinionScores, double> f) => rows.Average(r => r.Scores.Average(f));
            Console.WriteLine(string.Format(inv, "opinions avg_kl zero={0:F4} few={1:F4} vector={2:F4}", Avg(x => x.ZeroShot), Avg(x => x.FewShot), Avg(x => x.Vector)));
            return 0;
        });
        return cmd;
    }

    static List<GroupOpinions> Load(string? data, string groups)
    {
        string path = data ?? SharedData.PathTo("data", "opinionqa", "human_resp")
            ?? throw new LayerSteerException("no --data given and ../shared/data/opinionqa not found");
        if (File.Exists(path)) return [UserSurveyLoader.Load(path)];
        return OpinionGroup.ParseList(groups).Select(g => OpinionQaLoader.Load(path, g)).ToList();
    }
}
