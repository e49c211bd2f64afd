using LayerSteer.Adapters;
using LayerSteer.Inference;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tests.Support;
using LayerSteer.Training;

namespace LayerSteer.Tests.Adapters;

public class AdapterTests
{
    static Example[] Examples => [new([1, 5, 9, 33, 2, 70], [12, 8, 40]), new([1, 7], [3]), new([1, 44, 45, 46, 47, 48, 49, 50, 51, 52], [60, 61])];

    static void Randomise(Parameter p, int seed, float scale, float offset = 0)
    {
        var r = new Random(seed);
        for (int i = 0; i < p.Value.Length; i++) p.Value[i] = offset + (float)(r.NextDouble() * 2 - 1) * scale;
    }

    static float[] Logits(Transformer m, int[] ids) => m.Forward([ids], [m.NewCache()], allRows: true);

    // Central differences of the full-sequence loss against the analytic gradient, at a few entries of each parameter.
    static void CheckGradient(Adapter a, string what)
    {
        var path = new FullSequencePath(a, Examples, new TaskLoss.Nll(TokenReduction.Mean));
        path.Evaluate(withGrad: true);
        var grads = a.Parameters.Select(p => (float[])p.Grad.Clone()).ToArray();
        const float h = 1e-2f;
        for (int k = 0; k < a.Parameters.Count; k++)
        {
            var p = a.Parameters[k];
            foreach (int i in new[] { 0, p.Value.Length / 3, p.Value.Length - 1 })
            {
                float w = p.Value[i];
                p.Value[i] = w + h; double up = path.Evaluate(false);
                p.Value[i] = w - h; double down = path.Evaluate(false);
                p.Value[i] = w;
                double fd = (up - down) / (2 * h);
                Assert.True(Math.Abs(fd - grads[k][i]) <= 2e-3 + 2e-2 * Math.Abs(fd), $"{what} {p.Name}[{i}]: analytic {grads[k][i]} vs finite difference {fd}");
            }
        }
    }

    [SharedTheory]
    [InlineData("llama-tiny")]
    [InlineData("gemma2-tiny")]
    [InlineData("gpt2-tiny")]
    [InlineData("qwen2-tiny")]
    public void LoraWithZeroBEqualsTheBaseModel(string fixture)
    {
        var m = ModelLoader.Load(Shared.Fixture(fixture));
        var a = Adapter.Lora(m, [0, 1], rank: 4, alpha: 8, seed: 1);
        int[] ids = [1, 5, 9, 33, 2, 70];
        Assert.Equal(Logits(m, ids), Logits(a.Model, ids));
        // …and a nonzero B changes them: the update really is in the forward pass.
        Randomise(a.Parameters[1], 2, 0.5f);
        Assert.NotEqual(Logits(m, ids), Logits(a.Model, ids));
    }

    [SharedTheory]
    [InlineData("llama-tiny", 1)]
    [InlineData("gemma2-tiny", 0)]
    [InlineData("gpt2-tiny", 1)]
    [InlineData("qwen2-tiny", 0)]
    [InlineData("qwen3-tiny", 1)]
    [InlineData("gemma3-tiny", 5)]
    [InlineData("phi3-tiny", 0)]
    [InlineData("olmo2-tiny", 1)]
    public void LoraGradientMatchesFiniteDifferences(string fixture, int layer)
    {
        var m = ModelLoader.Load(Shared.Fixture(fixture));
        var a = Adapter.Lora(m, [layer], rank: 4, alpha: 8, seed: 3);
        foreach (var p in a.Parameters.Where(p => p.Name.EndsWith("lora_B"))) Randomise(p, 4, 0.3f);
        CheckGradient(a, fixture);
    }

    [SharedTheory]
    [InlineData("llama-tiny")]
    [InlineData("gemma2-tiny")]
    [InlineData("gpt2-tiny")]
    [InlineData("qwen3-tiny")]
    [InlineData("gemma3-tiny")]
    [InlineData("phi3-tiny")]
    [InlineData("olmo2-tiny")]
    public void Ia3AtOneEqualsTheBaseModelAndItsGradientMatchesFiniteDifferences(string fixture)
    {
        var m = ModelLoader.Load(Shared.Fixture(fixture));
        var a = Adapter.Ia3(m);
        int[] ids = [1, 5, 9, 33, 2, 70];
        Assert.Equal(Logits(m, ids), Logits(a.Model, ids));
        Assert.Equal(3 * m.Config.NumLayers, a.Parameters.Count);
        for (int k = 0; k < a.Parameters.Count; k++) Randomise(a.Parameters[k], 10 + k, 0.3f, offset: 1f);
        Assert.NotEqual(Logits(m, ids), Logits(a.Model, ids));
        CheckGradient(a, fixture);
    }

    [SharedTheory]
    [InlineData("llama-tiny")]
    [InlineData("gemma2-tiny")]
    [InlineData("gpt2-tiny")]
    [InlineData("gemma3-tiny")]
    [InlineData("phi3-tiny")]   // 5 virtual + 3 prompt tokens: past longrope's switch at 6, so the prefix must know the whole length
    public void SoftPromptOfTokenEmbeddingsEqualsThoseTokensInThePrompt(string fixture)
    {
        var m = ModelLoader.Load(Shared.Fixture(fixture));
        int[] description = [20, 21, 22];
        var a = Adapter.SoftPrompt(m, description, virtualTokens: 5);   // rows of 20 21 22 20 21
        int[] prompt = [1, 5, 9];
        var opts = new SamplingOptions { MaxNewTokens = 6, Greedy = true, StopAtEos = false };
        var gen = new Generator(m, null);
        var withPrefix = gen.Generate([prompt], opts, prefix: a.Prefix!.Value)[0].Ids;
        var asTokens = gen.Generate([[20, 21, 22, 20, 21, .. prompt]], opts)[0].Ids;
        Assert.Equal(asTokens, withPrefix);
        Randomise(a.Prefix, 5, 0.5f);
        CheckGradient(a, fixture);
    }

    [SharedFact]
    public void TrainingLowersTheLossAndLeavesTheBaseModelAlone()
    {
        var m = ModelLoader.Load(Shared.Fixture("llama-tiny"));
        int[] ids = [1, 5, 9, 33, 2, 70];
        var before = Logits(m, ids);
        foreach (var a in new[] { Adapter.Lora(m, [0], 4, 8, 1), Adapter.Ia3(m), Adapter.SoftPrompt(m, [20, 21], 4) })
        {
            var fit = AdapterTraining.Train(new FullSequencePath(a, Examples, new TaskLoss.Nll(TokenReduction.Mean)), new AdamWOptions { Steps = 30, Lr = 1e-2f });
            Assert.True(fit.FinalLoss < 0.9 * fit.InitialLoss, $"{a.Kind}: loss {fit.InitialLoss} → {fit.FinalLoss}");
            Assert.Equal(before, Logits(m, ids));
        }
    }

    [SharedFact]
    public void TrainingIsDeterministicForASeedAndTheSeedDrawsLoraA()
    {
        var m = ModelLoader.Load(Shared.Fixture("llama-tiny"));
        float[][] Train(int seed)
        {
            var a = Adapter.Lora(m, [1], 4, 8, seed);
            AdapterTraining.Train(new FullSequencePath(a, Examples, new TaskLoss.Nll(TokenReduction.Mean)), new AdamWOptions { Steps = 5 });
            return a.Parameters.Select(p => p.Value).ToArray();
        }
        Assert.Equal(Train(7), Train(7));
        Assert.NotEqual(Train(7)[0], Train(8)[0]);
    }

    [Fact]
    public void AdamWClipsAndDecaysAsSpecified()
    {
        var p = new Parameter("w", [1f, -2f]);
        p.Grad[0] = 30f; p.Grad[1] = 40f;                 // norm 50, clipped to 1 → (0.6, 0.8)
        var opt = new AdamW([p], new AdamWOptions { Lr = 0.1f, WeightDecay = 0.5f, ClipNorm = 1f });
        Assert.Equal(50, opt.Step(), 6);
        // First step: m̂ = g, v̂ = g², so the Adam step is lr·sign(g); decay subtracts lr·wd·w.
        Assert.Equal(1f - 0.1f * (0.5f * 1f + 1f), p.Value[0], 5);
        Assert.Equal(-2f - 0.1f * (0.5f * -2f + 1f), p.Value[1], 5);
    }
}

public class TaskDescriptionTests
{
    [Fact]
    public void KnownChainedAndUnknownTasksGetDescriptions()
    {
        Assert.Equal("the French translation of this word", LayerSteer.Tasks.TaskDescription.For("english-french"));
        Assert.Equal("the opposite of this word, then the German translation of this word", LayerSteer.Tasks.TaskDescription.For("antonym>english-german"));
        Assert.Equal("the person instrument of this word", LayerSteer.Tasks.TaskDescription.For("person_instrument"));
    }
}
