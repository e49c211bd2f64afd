using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tests.Support;
using LayerSteer.Training;

namespace LayerSteer.Tests.Intervention;

/// <summary>The suffix path at both sites and every apply mode: its loss is the loss of a plain forward pass with the
/// inference hook (<see cref="SiteAddition"/>), its loss and gradient equal the full forward/backward, and its gradient
/// matches finite differences.</summary>
public class SuffixPathTests
{
    static float[] RandomDelta(int n, int seed, float scale)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1) * scale).ToArray();
    }

    static Example[] Examples => [new([1, 5, 9, 33, 2, 70], [12, 8, 40]), new([1, 7], [3]), new([1, 44, 45, 46, 47, 48, 49, 50, 51, 52], [60, 61])];

    [SharedTheory]
    [InlineData("llama-tiny", 0, ApplyMode.All, VectorSite.OProjInput)]
    [InlineData("gemma2-tiny", 0, ApplyMode.Last, VectorSite.OProjInput)]
    [InlineData("gpt2-tiny", 0, ApplyMode.All, VectorSite.OProjInput)]
    [InlineData("llama-tiny", 1, ApplyMode.Last, VectorSite.BlockOutput)]
    [InlineData("llama-tiny", 0, ApplyMode.All, VectorSite.BlockOutput)]
    [InlineData("gemma2-tiny", 1, ApplyMode.Every, VectorSite.BlockOutput)]
    [InlineData("gpt2-tiny", 0, ApplyMode.All, VectorSite.BlockOutput)]
    [InlineData("qwen3-tiny", 0, ApplyMode.Last, VectorSite.OProjInput)]
    [InlineData("gemma3-tiny", 0, ApplyMode.All, VectorSite.OProjInput)]
    [InlineData("phi3-tiny", 0, ApplyMode.Last, VectorSite.OProjInput)]
    [InlineData("olmo2-tiny", 0, ApplyMode.All, VectorSite.OProjInput)]
    [InlineData("gemma3-tiny", 1, ApplyMode.Every, VectorSite.BlockOutput)]
    [InlineData("phi3-tiny", 0, ApplyMode.All, VectorSite.BlockOutput)]
    public void GradientMatchesFiniteDifferences(string fixture, int layer, ApplyMode mode, VectorSite site)
    {
        var m = ModelLoader.Load(Shared.Fixture(fixture));
        var path = new SuffixPath(m, layer, Examples, mode, new TaskLoss.Nll(TokenReduction.Mean), site: site);
        var delta = RandomDelta(path.Width, 5, 0.3f);
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

    /// <summary>The task loss from one uncached forward pass over prompt + targets[..^1] per example, with Δ added by the
    /// inference hook: no suffix path involved.</summary>
    static double HookedLoss(Transformer m, int layer, VectorSite site, ApplyMode mode, TokenReduction red, float[] delta)
    {
        double total = 0;
        foreach (var e in Examples)
        {
            var tokens = e.Prompt.Concat(e.Target[..^1]).ToArray();
            var hook = new SiteAddition([new Addition(layer, delta, 1f, mode, site)], [e.Prompt.Length]);
            var logits = m.Forward([tokens], [m.NewCache(tokens.Length)], hook, allRows: true);
            var d = new float[m.Vocab];
            int scored = red == TokenReduction.First ? 1 : e.Target.Length;
            double nll = 0;
            for (int k = 0; k < scored; k++)
                nll += TaskLoss.SoftmaxNll(logits.AsSpan((e.Prompt.Length - 1 + k) * m.Vocab, m.Vocab), e.Target[k], d);
            total += red == TokenReduction.Mean ? nll / scored : nll;
        }
        return total / Examples.Length;
    }

    [SharedTheory]
    [InlineData("llama-tiny", 1, ApplyMode.Last, TokenReduction.Mean, VectorSite.OProjInput)]
    [InlineData("llama-tiny", 0, ApplyMode.All, TokenReduction.Sum, VectorSite.OProjInput)]
    [InlineData("gemma2-tiny", 1, ApplyMode.All, TokenReduction.Mean, VectorSite.OProjInput)]
    [InlineData("gpt2-tiny", 0, ApplyMode.Last, TokenReduction.First, VectorSite.OProjInput)]
    [InlineData("qwen2-tiny", 0, ApplyMode.All, TokenReduction.Mean, VectorSite.OProjInput)]
    [InlineData("llama-tiny", 1, ApplyMode.Every, TokenReduction.Mean, VectorSite.OProjInput)]
    [InlineData("llama-tiny", 1, ApplyMode.Last, TokenReduction.Mean, VectorSite.BlockOutput)]
    [InlineData("llama-tiny", 0, ApplyMode.All, TokenReduction.Sum, VectorSite.BlockOutput)]
    [InlineData("llama-tiny", 1, ApplyMode.Every, TokenReduction.Mean, VectorSite.BlockOutput)]
    [InlineData("llama-tiny", 2, ApplyMode.All, TokenReduction.Mean, VectorSite.BlockOutput)]   // the last layer: Δ goes straight to the final norm
    [InlineData("gemma2-tiny", 1, ApplyMode.All, TokenReduction.Mean, VectorSite.BlockOutput)]
    [InlineData("gpt2-tiny", 0, ApplyMode.Every, TokenReduction.First, VectorSite.BlockOutput)]
    [InlineData("qwen2-tiny", 0, ApplyMode.Last, TokenReduction.Mean, VectorSite.BlockOutput)]
    [InlineData("qwen3-tiny", 1, ApplyMode.Last, TokenReduction.Mean, VectorSite.OProjInput)]
    [InlineData("gemma3-tiny", 0, ApplyMode.All, TokenReduction.Sum, VectorSite.OProjInput)]
    [InlineData("gemma3-tiny", 4, ApplyMode.Last, TokenReduction.Mean, VectorSite.OProjInput)]
    [InlineData("phi3-tiny", 0, ApplyMode.Last, TokenReduction.Sum, VectorSite.OProjInput)]   // examples on both sides of longrope's switch
    [InlineData("olmo2-tiny", 1, ApplyMode.All, TokenReduction.Mean, VectorSite.OProjInput)]
    [InlineData("olmo2-tiny", 0, ApplyMode.Every, TokenReduction.Mean, VectorSite.BlockOutput)]
    [InlineData("qwen3-tiny", 1, ApplyMode.All, TokenReduction.Mean, VectorSite.BlockOutput)]
    public void SuffixPathEqualsHookedForwardAndFullBackward(string fixture, int layer, ApplyMode mode, TokenReduction red, VectorSite site)
    {
        var m = ModelLoader.Load(Shared.Fixture(fixture));
        var suffix = new SuffixPath(m, layer, Examples, mode, new TaskLoss.Nll(red), site: site);
        var full = new SuffixPath(m, layer, Examples, mode, new TaskLoss.Nll(red), cachePrompt: false, site: site);
        var delta = RandomDelta(suffix.Width, 3, 0.5f);
        var gs = new float[delta.Length]; var gf = new float[delta.Length];
        double ls = suffix.Evaluate(delta, gs), lf = full.Evaluate(delta, gf);
        Assert.Equal(HookedLoss(m, layer, site, mode, red, delta), ls, 1e-5);
        Assert.Equal(lf, ls, 1e-5);
        Assert.NotEqual(HookedLoss(m, layer, site, mode, red, new float[delta.Length]), ls, 1e-3);   // Δ matters
        double maxG = gf.Max(Math.Abs);
        Assert.True(maxG > 0);
        for (int i = 0; i < gs.Length; i++) Assert.True(Math.Abs(gs[i] - gf[i]) <= 1e-5 * maxG, $"grad[{i}] {gs[i]} vs {gf[i]}");
        // Evaluating twice gives the same answer: the cache is rolled back between evaluations.
        var gs2 = new float[delta.Length];
        Assert.Equal(ls, suffix.Evaluate(delta, gs2));
        Assert.Equal(gs, gs2);
    }

    [Fact]
    public void ApplyModesSayWhichPositionsGetDelta()
    {
        // prompt of 4 tokens (positions 0..3), then generated tokens 4, 5
        bool[] At(ApplyMode m) => Enumerable.Range(0, 6).Select(p => SiteAddition.Applies(m, p, 4)).ToArray();
        Assert.Equal([false, false, false, true, false, false], At(ApplyMode.Last));
        Assert.Equal([false, false, false, true, true, true], At(ApplyMode.All));
        Assert.Equal([true, true, true, true, true, true], At(ApplyMode.Every));
        Assert.Equal(ApplyMode.Every, ApplyModes.TryParse("every"));
        Assert.Null(ApplyModes.TryParse("each"));
        Assert.Equal(VectorSite.BlockOutput, VectorSites.TryParse("block-output"));
    }
}
