using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tests.Support;
using LayerSteer.Training;

namespace LayerSteer.Tests.Intervention;

public class SuffixPathTests
{
    static float[] RandomDelta(int n, int seed, float scale)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1) * scale).ToArray();
    }

    static Example[] Examples => [new([1, 5, 9, 33, 2, 70], [12, 8, 40]), new([1, 7], [3]), new([1, 44, 45, 46, 47, 48, 49, 50, 51, 52], [60, 61])];

    [SharedTheory]
    [InlineData("llama-tiny", 1, ApplyMode.Last, TokenReduction.Mean)]
    [InlineData("llama-tiny", 0, ApplyMode.All, TokenReduction.Sum)]
    [InlineData("gemma2-tiny", 1, ApplyMode.All, TokenReduction.Mean)]
    [InlineData("gpt2-tiny", 0, ApplyMode.Last, TokenReduction.First)]
    [InlineData("qwen2-tiny", 0, ApplyMode.All, TokenReduction.Mean)]
    [InlineData("qwen3-tiny", 1, ApplyMode.Last, TokenReduction.Mean)]
    [InlineData("gemma3-tiny", 0, ApplyMode.All, TokenReduction.Sum)]
    [InlineData("gemma3-tiny", 4, ApplyMode.Last, TokenReduction.Mean)]
    [InlineData("phi3-tiny", 0, ApplyMode.Last, TokenReduction.Sum)]   // examples on both sides of longrope's switch
    [InlineData("olmo2-tiny", 1, ApplyMode.All, TokenReduction.Mean)]
    public void SuffixPathEqualsFullForwardBackward(string fixture, int layer, ApplyMode mode, TokenReduction red)
    {
        var m = ModelLoader.Load(Shared.Fixture(fixture));
        var delta = RandomDelta(m.Config.SiteWidth, 3, 0.5f);
        var suffix = new SuffixPath(m, layer, Examples, mode, new TaskLoss.Nll(red));
        var full = new SuffixPath(m, layer, Examples, mode, new TaskLoss.Nll(red), cachePrompt: false);
        var gs = new float[delta.Length]; var gf = new float[delta.Length];
        double ls = suffix.Evaluate(delta, gs), lf = full.Evaluate(delta, gf);
        Assert.Equal(lf, ls, 1e-5);
        double maxG = gf.Max(Math.Abs);
        for (int i = 0; i < gs.Length; i++) Assert.True(Math.Abs(gs[i] - gf[i]) <= 1e-5 * maxG, $"grad[{i}] {gs[i]} vs {gf[i]}");
        // Evaluating twice gives the same answer: the cache is rolled back between evaluations.
        var gs2 = new float[delta.Length];
        Assert.Equal(ls, suffix.Evaluate(delta, gs2));
        Assert.Equal(gs, gs2);
    }

    [SharedTheory]
    [InlineData("llama-tiny", ApplyMode.All)]
    [InlineData("gemma2-tiny", ApplyMode.Last)]
    [InlineData("gpt2-tiny", ApplyMode.All)]
    [InlineData("qwen3-tiny", ApplyMode.Last)]
    [InlineData("gemma3-tiny", ApplyMode.All)]
    [InlineData("phi3-tiny", ApplyMode.Last)]
    [InlineData("olmo2-tiny", ApplyMode.All)]
    public void GradientMatchesFiniteDifferences(string fixture, ApplyMode mode)
    {
        var m = ModelLoader.Load(Shared.Fixture(fixture));
        var path = new SuffixPath(m, 0, Examples, mode, new TaskLoss.Nll(TokenReduction.Mean));
        var delta = RandomDelta(m.Config.SiteWidth, 5, 0.3f);
        var g = new float[delta.Length];
        path.Evaluate(delta, g);
        const float h = 1e-2f;
        foreach (int i in new[] { 0, 3, delta.Length / 2, delta.Length - 1 })
        {
            var p = (float[])delta.Clone(); p[i] += h;
            var q = (float[])delta.Clone(); q[i] -= h;
            double fd = (path.Evaluate(p, null) - path.Evaluate(q, null)) / (2 * h);
            Assert.True(Math.Abs(fd - g[i]) <= 2e-3 + 2e-2 * Math.Abs(fd), $"{fixture} Δ[{i}]: analytic {g[i]} vs finite difference {fd}");
        }
    }
}
