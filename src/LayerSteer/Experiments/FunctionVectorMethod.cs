using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tasks;

namespace LayerSteer.Experiments;

/// <summary>Function-vector settings: the layer whose output receives the FV, how many top heads it sums, the tokens it is
/// added at, and how many clean/corrupted extraction prompts.</summary>
/// <remarks>Apply defaults to All: Todd et al.'s generation hook adds the FV at index −1 of every forward pass, i.e. the
/// last prompt token and then every generated token.</remarks>
public sealed record FunctionVectorSettings(int Layer, int Heads = 10, ApplyMode Apply = ApplyMode.All, int Prompts = 20)
{
    /// <summary>Every default, at <see cref="DefaultLayers.FunctionVector"/> of a model with <paramref name="layers"/> layers.</summary>
    public static FunctionVectorSettings Default(int layers) => new(DefaultLayers.FunctionVector(layers));

    public string Key => CacheKey.Of("layer", Layer, "heads", Heads, "apply", Apply, "prompts", Prompts);
}

/// <summary>Extracts function vectors from a split's training pairs, remembering the last one: fv-zero and fv-few share
/// one extraction per (task, seed), since the grid runs methods one after another on the same split.</summary>
public sealed class FunctionVectorMemo(FunctionVectorSettings s)
{
    readonly SplitMemo<FunctionVectorFit> _memo = new((model, enc, split) => Extract(model, enc, split, s));

    public FunctionVectorSettings Settings => s;

    public FunctionVectorFit Get(Transformer model, TaskEncoder enc, TaskSplit split) => _memo.Get(model, enc, split);

    public static FunctionVectorFit Extract(Transformer model, TaskEncoder enc, TaskSplit split, FunctionVectorSettings s)
    {
        if (s.Layer < 0 || s.Layer >= model.Config.NumLayers)
            throw new LayerSteerException($"function vector layer {s.Layer} is outside 0..{model.Config.NumLayers - 1} (layers are 0-based)");
        var p = FunctionVectorPrompts.Build(enc, split.Train, s.Prompts, split.Seed);
        return FunctionVector.Extract(model, p.Clean, p.Corrupted, p.Targets, s.Heads);
    }

    /// <summary>The FV file for an extraction: vector, heads with CIE, and what it was extracted from.</summary>
    public static FunctionVectorFile ToFile(Transformer model, TaskPairs task, PromptTemplate template, TaskSplit split, FunctionVectorSettings s, FunctionVectorFit fit) =>
        new(fit.Vector, FunctionVectorFile.BaseHeader(model, fit, s.Layer, s.Apply) with
        {
            Task = task.Name, Template = template.Name, Seed = split.Seed, Prompts = s.Prompts, TrainInputs = split.Train.Select(p => p.Input).ToArray(),
        });
}

/// <summary>Todd et al.'s function vector added after layer ≈ L/3 to the 0-shot prompt (fv-zero) or to the k-shot prompt
/// with the N training pairs as demonstrations (fv-few).</summary>
public sealed class FunctionVectorMethod(FunctionVectorMemo memo, bool fewShot) : Method
{
    public override string Name => MethodKinds.Name(fewShot ? MethodKind.FvFew : MethodKind.FvZero);
    public override string Key => CacheKey.Of("method", Name, "fv", memo.Settings.Key);

    public override MethodScore Run(MethodContext c)
    {
        var s = memo.Settings;
        var fit = memo.Get(c.Model, c.Encoder, c.Split);
        var test = c.Evaluator.Evaluate(c.Split.Test, fewShot ? c.Split.Train : null, FunctionVector.Steering(s.Layer, fit.Vector, s.Apply));
        return MethodScore.Test(test, new MethodDetails { FvLayer = s.Layer, FvHeads = fit.Heads });
    }
}
