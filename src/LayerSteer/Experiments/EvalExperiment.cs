using System.Text.Json;
using LayerSteer.Formats;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tasks;

namespace LayerSteer.Experiments;

/// <summary>What `eval` evaluates: prompting (0- or few-shot), the user's vectors, or a function vector file, and the
/// words those were trained on (never held out).</summary>
public sealed record EvalSubject(MethodKind Kind, Steering? Steering, IReadOnlySet<string> TrainInputs);

/// <summary>One seed's held-out scores.</summary>
public sealed record EvalSeed(int Seed, EvalResult Result);

/// <summary>`eval`'s results over seeds, with mean ± std and a JSON report.</summary>
public sealed record EvalReport(string Task, string Method, IReadOnlyList<EvalSeed> Seeds)
{
    public (double Mean, double Std) ExactMatch => Scoring.MeanStd(Seeds.Select(s => s.Result.ExactMatch).ToArray());
    public (double Mean, double Std) FirstToken => Scoring.MeanStd(Seeds.Select(s => s.Result.FirstToken).ToArray());
    /// <summary>Mean judge accuracy and unknown share, when every seed was judged.</summary>
    public (double Accuracy, double Unknown)? Judge => Seeds.All(s => s.Result.JudgeAccuracy.HasValue)
        ? (Seeds.Average(s => s.Result.JudgeAccuracy!.Value), Seeds.Average(s => s.Result.JudgeUnknown!.Value)) : null;
    public int N => Seeds.Sum(s => s.Result.N);

    /// <summary>Per-seed results and every prediction, written atomically.</summary>
    public void WriteJson(string path) => AtomicFile.Write(path, s => JsonSerializer.Serialize(s, new
    {
        task = Task, method = Method, exact_match = new { mean = ExactMatch.Mean, std = ExactMatch.Std }, first_token = new { mean = FirstToken.Mean, std = FirstToken.Std },
        seeds = Seeds.Select(x => new
        {
            seed = x.Seed, n = x.Result.N, first_token = x.Result.FirstToken, exact_match = x.Result.ExactMatch,
            judge_accuracy = x.Result.JudgeAccuracy, judge_unknown = x.Result.JudgeUnknown,
            items = x.Result.Items.Select(i => new { input = i.Pair.Input, target = i.Pair.Output, prediction = i.Prediction, first_ok = i.FirstOk, exact = i.Exact, verdict = i.Verdict?.ToString() }),
        }),
    }, new JsonSerializerOptions { WriteIndented = true }));
}

/// <summary>`eval`: a subject scored on each seed's held-out pairs (the same splits `compare` uses).</summary>
public static class EvalExperiment
{
    public static EvalReport Run(Evaluator evaluator, TaskPairs pairs, EvalSubject subject, int seeds, int shots, int testSize)
    {
        var perSeed = new List<EvalSeed>();
        for (int seed = 0; seed < seeds; seed++)
        {
            var split = TaskSplit.Make(pairs, shots, testSize, seed);
            var test = split.Test.Where(p => !subject.TrainInputs.Contains(p.Input)).ToArray();
            var demos = MethodKinds.UsesDemonstrations(subject.Kind) ? split.Train : null;
            perSeed.Add(new EvalSeed(seed, evaluator.Evaluate(test, demos, subject.Steering)));
        }
        return new EvalReport(pairs.Name, MethodKinds.Name(subject.Kind), perSeed);
    }

    /// <summary>The subject of `eval`: the vectors (summed), else a function vector file (0-shot, or few-shot with
    /// <paramref name="fewShot"/>), else prompting.</summary>
    public static EvalSubject Subject(IReadOnlyList<(SteeringVector Vector, float Scale)> vectors, FunctionVectorFile? fv, bool fewShot)
    {
        if (vectors.Count > 0 && fv != null) throw new LayerSteerException("--fv cannot be combined with --vector");
        if (vectors.Count > 0)
            return new EvalSubject(MethodKind.Vector, Steering.Add(vectors.Select(v => v.Vector.ToAddition(v.Scale)).ToArray()),
                vectors.SelectMany(v => v.Vector.Header.TrainInputs).ToHashSet(StringComparer.OrdinalIgnoreCase));
        if (fv != null)
            return new EvalSubject(fewShot ? MethodKind.FvFew : MethodKind.FvZero, fv.Steering(), fv.Header.TrainInputs.ToHashSet(StringComparer.OrdinalIgnoreCase));
        return new EvalSubject(fewShot ? MethodKind.FewShot : MethodKind.ZeroShot, null, new HashSet<string>());
    }
}
