using System.Numerics.Tensors;

namespace LayerSteer.Inference;

/// <summary>How to pick the next token: greedy, or seeded temperature + nucleus (top-p) sampling.</summary>
public sealed record SamplingOptions
{
    public bool Greedy { get; init; } = true;
    public float Temperature { get; init; } = 1f;
    public float TopP { get; init; } = 1f;
    public int Seed { get; init; }
    public int MaxNewTokens { get; init; } = 64;
    public bool StopAtEos { get; init; } = true;
    public string[] StopStrings { get; init; } = [];
    /// <summary>Record each chosen token's log-probability and this many top alternatives (null: none).</summary>
    public int? LogProbs { get; init; }
}

/// <summary>Token choice from one row of logits.</summary>
public static class Sampler
{
    public static int Argmax(ReadOnlySpan<float> logits) => TensorPrimitives.IndexOfMax(logits);

    /// <summary>log p(chosen) under the model's distribution (softmax of the raw logits) and the <paramref name="top"/> most likely ids.</summary>
    public static TokenLogProb LogProbs(ReadOnlySpan<float> logits, int chosen, int top)
    {
        float max = TensorPrimitives.Max(logits);
        double z = 0;
        foreach (float l in logits) z += Math.Exp(l - max);
        float logZ = max + (float)Math.Log(z);
        var lp = logits.ToArray();
        var best = top <= 0 ? [] : Enumerable.Range(0, lp.Length).OrderByDescending(i => lp[i]).ThenBy(i => i).Take(top).ToArray();
        return new TokenLogProb(chosen, lp[chosen] - logZ, best.Select(i => (i, lp[i] - logZ)).ToArray());
    }

    public static int Pick(ReadOnlySpan<float> logits, SamplingOptions o, Random rng)
    {
        if (o.Greedy || o.Temperature <= 0) return Argmax(logits);
        var p = new float[logits.Length];
        TensorPrimitives.Divide(logits, o.Temperature, p);
        TensorPrimitives.Subtract(p, TensorPrimitives.Max(p), p);   // TensorPrimitives.SoftMax does not subtract the max: exp overflows past ~88
        TensorPrimitives.SoftMax(p, p);
        var order = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ThenBy(i => i).ToArray();
        // Nucleus: the smallest prefix of the sorted distribution whose mass reaches top_p (at least one token).
        double mass = 0;
        int keep = 0;
        while (keep < order.Length && (keep == 0 || mass < o.TopP)) mass += p[order[keep++]];
        double u = rng.NextDouble() * mass, acc = 0;
        for (int i = 0; i < keep; i++)
        {
            acc += p[order[i]];
            if (u < acc) return order[i];
        }
        return order[keep - 1];
    }
}
