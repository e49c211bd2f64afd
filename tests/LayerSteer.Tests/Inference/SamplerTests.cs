using LayerSteer.Inference;

namespace LayerSteer.Tests.Inference;

/// <summary>Temperature sampling stays finite for large logits (TensorPrimitives.SoftMax alone overflows past ~88).</summary>
public class SamplerTests
{
    [Fact]
    public void LargeLogitsSampleOnlyTheLikelyTokens()
    {
        float[] logits = [100f, 0f, 95f, -1e4f];
        var o = new SamplingOptions { Greedy = false, Temperature = 1f, TopP = 1f };
        var rng = new Random(3);
        var picks = Enumerable.Range(0, 3000).Select(_ => Sampler.Pick(logits, o, rng)).ToArray();
        Assert.All(picks, p => Assert.Contains(p, new[] { 0, 2 }));
        Assert.InRange(picks.Count(p => p == 2), 5, 50);   // p(2) = 1/(1 + e^5) ≈ 0.0067: ≈ 20 of 3000
    }
}
