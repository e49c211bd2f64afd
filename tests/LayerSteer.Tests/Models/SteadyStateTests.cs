using LayerSteer.Inference;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tests.Support;
using LayerSteer.Tests.Tensors;
using LayerSteer.Training;

namespace LayerSteer.Tests.Models;

/// <summary>The reused activation buffers: a step after other steps computes exactly what a fresh one does (nothing stale is
/// added into a reused buffer), and once the shapes repeat a decode step and a Δ fit step allocate nothing on the calling thread
/// (the kernels' own threads are covered by the worker-pool tests). Not beside other tests: a kernel call while another test's
/// job holds the worker pool falls back to Parallel.For, which allocates.</summary>
[Collection(AllocationCollection.Name)]
public class SteadyStateTests
{
    static readonly Example[] Examples = [new([1, 5, 9, 33, 2, 70], [12, 8, 40]), new([1, 7], [3]), new([1, 44, 45, 46, 47], [60, 61])];

    static float[] Delta(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1) * 0.3f).ToArray();
    }

    static (double Loss, float[] Grad) Evaluate(SuffixPath path, float[] delta)
    {
        var g = new float[delta.Length];
        return (path.Evaluate(delta, g), g);
    }

    // Δ = a, then b, then a again on one path: the third evaluation equals the first and a fresh path's, bit for bit.
    static void ReusedEqualsFresh(Transformer m, int layer, ApplyMode mode, VectorSite site)
    {
        var loss = new TaskLoss.Nll(TokenReduction.Mean);
        var reused = new SuffixPath(m, layer, Examples, mode, loss, site: site);
        var a = Delta(reused.Width, 1);
        var first = Evaluate(reused, a);
        var other = Evaluate(reused, Delta(reused.Width, 2));
        var again = Evaluate(reused, a);
        var fresh = Evaluate(new SuffixPath(m, layer, Examples, mode, loss, site: site), a);
        Assert.NotEqual(first.Loss, other.Loss);
        Assert.Equal(first.Loss, again.Loss);
        Assert.Equal(fresh.Loss, again.Loss);
        Assert.Equal(first.Grad, again.Grad);
        Assert.Equal(fresh.Grad, again.Grad);
        Assert.Contains(again.Grad, v => v != 0);
    }

    [SharedTheory]
    [InlineData("llama-tiny", 0, ApplyMode.Last, VectorSite.OProjInput)]
    [InlineData("gpt2-tiny", 0, ApplyMode.All, VectorSite.OProjInput)]      // LayerNorm means
    [InlineData("gemma2-tiny", 0, ApplyMode.Last, VectorSite.OProjInput)]   // sandwich norms, soft-capping
    [InlineData("qwen3-tiny", 0, ApplyMode.Every, VectorSite.OProjInput)]   // q/k norms
    [InlineData("olmo2-tiny", 0, ApplyMode.All, VectorSite.BlockOutput)]    // no pre-norms
    [InlineData("gemma3-tiny", 1, ApplyMode.Last, VectorSite.BlockOutput)]
    public void FitStepAfterOtherStepsEqualsAFreshOne(string fixture, int layer, ApplyMode mode, VectorSite site) =>
        ReusedEqualsFresh(ModelLoader.Load(Shared.Fixture(fixture)), layer, mode, site);

    [Fact]
    public void FitStepAfterOtherStepsEqualsAFreshOneOnTheDefaultModel() =>
        ReusedEqualsFresh(ModelLoader.Load(TestModels.Testbed), 1, ApplyMode.Last, VectorSite.OProjInput);

    [Theory]
    [InlineData(ApplyMode.Last, 3)]    // 3 examples: 7 suffix rows
    [InlineData(ApplyMode.Every, 8)]   // 8 examples, every prompt row steered: 96 suffix rows, more than the pool keeps
    public void FitStepAllocatesNothingOnceWarm(ApplyMode mode, int examples)
    {
        var m = ModelLoader.Load(TestModels.Testbed);
        var ex = Enumerable.Range(0, examples).Select(i => new Example(Enumerable.Range(1 + i, 10).ToArray(), [20 + i, 30, 40])).ToArray();
        var path = new SuffixPath(m, 1, ex, mode, new TaskLoss.Nll(TokenReduction.Mean));
        var delta = Delta(path.Width, 3);
        var g = new float[delta.Length];
        for (int i = 0; i < 2; i++) path.Evaluate(delta, g);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) path.Evaluate(delta, g);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void DecodeStepsInReusedBuffersEqualTheAllocatingForwardAndAllocateNothing()
    {
        var m = ModelLoader.Load(TestModels.Testbed);
        int v = m.Vocab, steps = 12;
        int[][] prompts = [[1, 5, 9, 33], [2, 70], [12, 8, 40, 41, 42]];
        var fresh = prompts.Select(p => m.NewCache(p.Length + steps)).ToArray();
        var reused = prompts.Select(p => m.NewCache(p.Length + steps)).ToArray();
        var logits = new float[prompts.Length * v];
        var next = prompts.Select(_ => new int[1]).ToArray();
        m.Forward(prompts, reused, logits);
        Assert.Equal(m.Forward(prompts, fresh), logits);
        long allocated = 0;
        for (int step = 0; step < steps; step++)
        {
            for (int s = 0; s < prompts.Length; s++) next[s][0] = Sampler.Argmax(logits.AsSpan(s * v, v));
            long before = GC.GetAllocatedBytesForCurrentThread();
            m.Forward(next, reused, logits);
            if (step >= 2) allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(m.Forward(next, fresh), logits);
        }
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void TheReusingForwardRefusesAShortLogitsBufferAndABadTokenBeforeTouchingTheCaches()
    {
        var m = ModelLoader.Load(TestModels.Testbed);
        var cache = m.NewCache();
        var tooShort = new float[m.Vocab - 1];
        var e = Assert.Throws<ArgumentException>(() => m.Forward([[1, 2]], [cache], tooShort));
        Assert.Contains("logits", e.Message);
        Assert.Throws<LayerSteerException>(() => m.Forward([[1, m.Vocab]], [cache], new float[m.Vocab]));
        Assert.Equal(0, cache.Length);
        var logits = new float[m.Vocab];
        m.Forward([[1, 2]], [cache], logits);   // the pool still serves after the failures
        Assert.Equal(m.Forward([[1, 2]], [m.NewCache()]), logits);
    }
}
