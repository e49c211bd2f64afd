using System.Text.Json;
using LayerSteer.Formats;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tokenizers;
using LayerSteer.Training;
using LayerSteer.Tasks.Opinions;
using LayerSteer.Tasks;

namespace LayerSteer.Experiments;

/// <summary>Per-group results on held-out questions: mean KL(model ‖ group) for 0-shot, 10-shot and the fitted vector.</summary>
public sealed record OpinionScores(double ZeroShot, double FewShot, double Vector, FitResult Fit);

/// <summary>Steers the model's answer distribution over option letters toward a group's: prompts, distributions, fit, evaluation.</summary>
public sealed class OpinionSteering(Transformer model, ITokenizer tokenizer)
{
    int[] Letters(SurveyQuestion q) => OptionLetters.TokenIds(t => tokenizer.Encode(t, addSpecialTokens: false), q.Options.Count);

    /// <summary>The model's distribution over each question's option letters (next token after "Answer:").</summary>
    public double[][] Distributions(IReadOnlyList<string> prompts, IReadOnlyList<SurveyQuestion> questions, IReadOnlyList<Addition>? additions)
    {
        var result = new double[prompts.Count][];
        const int batch = 16;
        for (int b = 0; b < prompts.Count; b += batch)
        {
            var ids = prompts.Skip(b).Take(batch).Select(p => tokenizer.Encode(p)).ToArray();
            var hook = additions is { Count: > 0 } ? new SiteAddition(additions, ids.Select(i => i.Length).ToArray()) : null;
            var logits = model.Forward(ids, ids.Select(i => model.NewCache(i.Length)).ToArray(), hook);
            for (int i = 0; i < ids.Length; i++)
                result[b + i] = OpinionKl.Restrict(logits.AsSpan(i * model.Vocab, model.Vocab), Letters(questions[b + i]));
        }
        return result;
    }

    public double MeanKl(IReadOnlyList<OpinionExample> test, IReadOnlyList<string> prompts, IReadOnlyList<Addition>? additions)
    {
        var p = Distributions(prompts, test.Select(e => e.Question).ToArray(), additions);
        return OpinionKl.MeanKl(p.Zip(test, (pm, e) => (pm, e.Pi)));
    }

    /// <summary>Fits Δ with the KL objective on the training questions (0-shot prompts).</summary>
    public FitResult Fit(IReadOnlyList<OpinionExample> train, VectorSettings s, Action<FitStep>? progress = null)
    {
        var examples = train.Select(e =>
        {
            var ids = tokenizer.Encode(OpinionPrompt.Build(e.Question));
            return new Example(ids, [Letters(e.Question)[0]]);   // one placeholder target: only the answer position is scored
        }).ToArray();
        var loss = new OpinionLoss(train.Select(e => Letters(e.Question)).ToArray(), train.Select(e => e.Pi).ToArray());
        var path = new SuffixPath(model, s.Layer, examples, ApplyMode.Last, loss);
        return Fitter.Fit(path, SparseGroupLasso.For(model, s.Fit), s.Fit, progress);
    }

    /// <summary>0-shot, k-shot (demonstrations answered with the group's most common option) and vector KL on held-out questions.</summary>
    public OpinionScores Run(OpinionSplit split, VectorSettings s, Action<FitStep>? progress = null)
    {
        var zeroPrompts = split.Test.Select(e => OpinionPrompt.Build(e.Question)).ToArray();
        var fewPrompts = split.Test.Select(e => OpinionPrompt.FewShot(split.Train, e.Question)).ToArray();
        var fit = Fit(split.Train, s, progress);
        return new OpinionScores(MeanKl(split.Test, zeroPrompts, null), MeanKl(split.Test, fewPrompts, null),
            MeanKl(split.Test, zeroPrompts, [new Addition(s.Layer, fit.Delta, 1f, ApplyMode.Last)]), fit);
    }
}

/// <summary>Table 3's settings: training and held-out questions per split, seeds, and the default OpinionQA groups.</summary>
public sealed record OpinionSettings(int Train = 10, int Test = 100, int Seeds = RunDefaults.Seeds)
{
    public const string DefaultGroups = "INCOME=$100,000 or more;INCOME=Less than $30,000;POLIDEOLOGY=Moderate;CREGION=Northeast";
}

/// <summary>One group's row of Table 3: its questions and the scores of every seed.</summary>
public sealed record OpinionGroupResult(string Group, int Questions, IReadOnlyList<OpinionScores> Scores);

/// <summary>Table 3: for each group and seed, 0-shot, 10-shot and vector KL on held-out questions.</summary>
public static class OpinionsExperiment
{
    /// <summary>A survey file of the user's (one group), or the OpinionQA groups of <paramref name="groups"/> in a folder.</summary>
    public static List<GroupOpinions> Load(string path, string groups) =>
        File.Exists(path) ? [UserSurveyLoader.Load(path)] : OpinionGroup.ParseList(groups).Select(g => OpinionQaLoader.Load(path, g)).ToList();

    public static List<OpinionGroupResult> Run(Transformer model, ITokenizer tokenizer, IReadOnlyList<GroupOpinions> sets, VectorSettings s, OpinionSettings o,
        Action<string>? progress = null)
    {
        var steering = new OpinionSteering(model, tokenizer);
        var rows = new List<OpinionGroupResult>();
        foreach (var g in sets)
        {
            var scores = new List<OpinionScores>();
            for (int seed = 0; seed < o.Seeds; seed++)
            {
                progress?.Invoke($"{g.Group} seed {seed}");
                scores.Add(steering.Run(OpinionSplit.Make(g.Examples, seed, o.Train, o.Test), s));
            }
            rows.Add(new OpinionGroupResult(g.Group, g.Examples.Count, scores));
        }
        return rows;
    }

    /// <summary>Per-group, per-seed KL, written atomically.</summary>
    public static void WriteJson(string path, IReadOnlyList<OpinionGroupResult> rows) =>
        AtomicFile.Write(path, st => JsonSerializer.Serialize(st, rows.Select(r => new
        {
            group = r.Group, questions = r.Questions,
            seeds = r.Scores.Select((x, i) => new { seed = i, zero_shot = x.ZeroShot, few_shot = x.FewShot, vector = x.Vector, nonzero_heads = x.Fit.NonzeroHeads, fit_loss = x.Fit.Loss }),
        }), new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>Mean KL of one method over every group and seed.</summary>
    public static double Average(IReadOnlyList<OpinionGroupResult> rows, Func<OpinionScores, double> f) => rows.Average(r => r.Scores.Average(f));
}
