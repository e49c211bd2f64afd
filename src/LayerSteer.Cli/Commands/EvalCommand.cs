using System.CommandLine;
using System.Globalization;
using LayerSteer.Experiments;
using LayerSteer.Hub;
using LayerSteer.Intervention;
using LayerSteer.Tasks;
using Spectre.Console;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer eval`: first-token accuracy and exact match of prompting or of steering vectors, over seeds.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var task = new TaskOptions();
        var vectors = VectorOptions.Vectors();
        var scales = VectorOptions.Scales();
        var method = new Option<string>("--method") { Description = "Without --vector: zero-shot or few-shot", DefaultValueFactory = _ => MethodKinds.Name(MethodKind.ZeroShot) };
        method.AcceptOnlyFromAmong(MethodKinds.Name(MethodKind.ZeroShot), MethodKinds.Name(MethodKind.FewShot));
        var fv = new Option<string?>("--fv") { Description = "Function vector file (from `layersteer fv`), added to the 0-shot prompt (or, with --method few-shot, the few-shot prompt)" };
        var seeds = CliOptions.Seeds("to average over");
        var json = new Option<string?>("--json") { Description = "Write per-seed results and predictions to this JSON file" };
        var judge = JudgeOption.Create();
        var cmd = new Command("eval", "Evaluate zero-shot, few-shot or task vectors on held-out pairs.") { model, vectors, scales, method, fv, seeds, json, judge };
        task.AddTo(cmd);
        cmd.SetAction(pr =>
        {
            string path = ModelBundle.Locate(pr.GetValue(model)!);
            var pairs = task.Resolve(pr, path);
            task.Split(pr, pairs, 0);
            var template = task.TemplateOf(pr);
            var vecs = VectorOptions.Read(pr.GetValue(vectors), pr.GetValue(scales));
            var fvFile = pr.GetValue(fv) is string fvPath ? FunctionVectorFile.Load(fvPath) : null;
            if (pr.GetValue(json) is string jp) CliOptions.CheckWritable(jp, "--json");
            var b = ModelBundle.Open(path);
            VectorOptions.Check(vecs, b.Model);
            fvFile?.CheckModel(b.Model, pr.GetValue(fv)!);
            var subject = EvalExperiment.Subject(vecs.Select(v => (v.Vector, v.Scale)).ToArray(), fvFile, pr.GetValue(method) == MethodKinds.Name(MethodKind.FewShot));
            var enc = new TaskEncoder(b.RequireTokenizer(), template);
            var ev = JudgeOption.Evaluators(pr.GetValue(judge)!, b.Model, enc)(pairs);
            var report = EvalExperiment.Run(ev, pairs, subject, pr.GetValue(seeds), pr.GetValue(task.Shots), pr.GetValue(task.TestSize));
            Print(report);
            if (pr.GetValue(json) is string jsonPath) report.WriteJson(jsonPath);
            return 0;
        });
        return cmd;
    }

    static void Print(EvalReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        var t = new Table().AddColumns("seed", "n", "first-token", "exact match", "judge accuracy", "judge unknown");
        foreach (var (s, x) in r.Seeds)
            t.AddRow(s.ToString(inv), x.N.ToString(inv), x.FirstToken.ToString("F3", inv), x.ExactMatch.ToString("F3", inv),
                x.JudgeAccuracy?.ToString("F3", inv) ?? "–", x.JudgeUnknown?.ToString("F3", inv) ?? "–");
        AnsiConsole.Write(t.Title(Markup.Escape($"{r.Task} — {r.Method}")));
        string judged = r.Judge is var (acc, unk) ? string.Format(inv, " judge={0:F3} judge_unknown={1:F3}", acc, unk) : "";
        Console.WriteLine(string.Format(inv, "eval exact_match={0:F3}±{1:F3} first_token={2:F3}±{3:F3} n={4}{5}",
            r.ExactMatch.Mean, r.ExactMatch.Std, r.FirstToken.Mean, r.FirstToken.Std, r.N, judged));
    }
}
