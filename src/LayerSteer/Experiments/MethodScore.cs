using LayerSteer.Intervention;
using LayerSteer.Tasks;

namespace LayerSteer.Experiments;

/// <summary>What one method scored on one (task, seed): held-out test pairs, training pairs where it learns from them,
/// and what it learned (<see cref="MethodDetails"/>).</summary>
public sealed record MethodScore(double TestFirstToken, double TestExact, int TestN, double? TrainFirstToken = null, double? TrainExact = null,
    double? TestJudge = null, double? TestJudgeUnknown = null)
{
    public MethodDetails Details { get; init; } = new();

    /// <summary>Heads and entries of the applied Δ that are nonzero (what γ, λ buy); null for methods without a Δ.</summary>
    public int? NonzeroHeads => Details.NonzeroHeads?.Length;
    public int? NonzeroEntries => Details.NonzeroEntries;

    /// <summary>Scores of held-out pairs only.</summary>
    public static MethodScore Test(EvalResult r, MethodDetails? details = null) =>
        new(r.FirstToken, r.ExactMatch, r.N, null, null, r.JudgeAccuracy, r.JudgeUnknown) { Details = details ?? new() };

    /// <summary>Scores of held-out and training pairs.</summary>
    public static MethodScore TestAndTrain(EvalResult test, EvalResult train, MethodDetails details) =>
        Test(test, details) with { TrainFirstToken = train.FirstToken, TrainExact = train.ExactMatch };
}

/// <summary>What a method learned, typed; each field is null where the method has no such thing.</summary>
public sealed record MethodDetails
{
    /// <summary>Training loss before the first and after the last step (Δ, adapters).</summary>
    public double? InitialLoss { get; init; }
    public double? FinalLoss { get; init; }
    public int? Steps { get; init; }
    public float? Lr { get; init; }
    /// <summary>Trainable parameters (adapters: LoRA/IA3/soft prompt; a Δ has site-width many).</summary>
    public long? Parameters { get; init; }
    /// <summary>Nonzero heads and entries of the applied Δ.</summary>
    public int[]? NonzeroHeads { get; init; }
    public int? NonzeroEntries { get; init; }
    /// <summary>Nonzero heads of each component Δ of a sum (Table 2's Add).</summary>
    public int[][]? ComponentHeads { get; init; }
    /// <summary>Function vectors: the layer and the top heads with their causal indirect effect.</summary>
    public int? FvLayer { get; init; }
    public HeadEffect[]? FvHeads { get; init; }
    /// <summary>ICV: strength, ‖icv‖ per layer and the variance share of the first principal direction.</summary>
    public float? IcvStrength { get; init; }
    public double[]? IcvNorms { get; init; }
    public double? IcvVarianceShare { get; init; }
}
