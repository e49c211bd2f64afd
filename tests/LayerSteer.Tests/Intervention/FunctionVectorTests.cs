using LayerSteer.Tensors;
using LayerSteer.Formats;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Intervention;

public class FunctionVectorTests
{
    static int[][] Prompts => [[1, 5, 9, 33, 2, 70], [1, 7, 3], [1, 44, 45, 46, 47, 48, 49, 50, 51, 52]];
    static int[] Targets => [12, 60, 8];

    /// <summary>Records every layer's site at one row.</summary>
    sealed class SiteAt(int row, float[][] into) : IActivationHook
    {
        public void AtSite(int layer, Span<float> site, RowLayout rows)
        {
            int w = site.Length / rows.Rows;
            into[layer] = site.Slice(row * w, w).ToArray();
        }
    }

    /// <summary>Overwrites one head at one row of one layer.</summary>
    sealed class Overwrite(int layer, int head, int headDim, int row, float[] values) : IActivationHook
    {
        public void AtSite(int l, Span<float> site, RowLayout rows)
        {
            if (l != layer) return;
            int w = site.Length / rows.Rows;
            values.CopyTo(site.Slice(row * w + head * headDim, headDim));
        }
    }

    [SharedTheory]
    [InlineData("llama-tiny")]
    [InlineData("gpt2-tiny")]
    public void MeanHeadOutputsEqualTheSiteReadOnePromptAtATime(string fixture)
    {
        var m = ModelLoader.Load(Shared.Fixture(fixture));
        var means = FunctionVector.MeanHeadOutputs(m, Prompts);
        var expected = Enumerable.Range(0, m.Config.NumLayers).Select(_ => new double[m.Config.SiteWidth]).ToArray();
        foreach (var p in Prompts)
        {
            var site = new float[m.Config.NumLayers][];
            m.Forward([p], [m.NewCache()], new SiteAt(p.Length - 1, site), allRows: true);
            for (int l = 0; l < site.Length; l++)
                for (int j = 0; j < site[l].Length; j++) expected[l][j] += site[l][j] / Prompts.Length;
        }
        for (int l = 0; l < means.Length; l++)
            for (int j = 0; j < means[l].Length; j++) Assert.Equal(expected[l][j], means[l][j], 1e-5);
    }

    [SharedTheory]
    [InlineData("llama-tiny")]
    [InlineData("gpt2-tiny")]
    public void IndirectEffectEqualsPatchedMinusUnpatchedProbabilityByFullForward(string fixture)
    {
        var m = ModelLoader.Load(Shared.Fixture(fixture));
        // Means from other prompts, scaled up so the patch moves probabilities visibly.
        var means = FunctionVector.MeanHeadOutputs(m, [[1, 2, 3, 4], [1, 9, 8]]).Select(v => v.Select(x => 4 * x).ToArray()).ToArray();
        var cie = FunctionVector.IndirectEffects(m, means, Prompts, Targets);
        int hd = m.Config.HeadDim;
        double P(int[] prompt, int target, IActivationHook? hook)
        {
            var logits = m.Forward([prompt], [m.NewCache()], hook);
            double max = logits.Max(), z = logits.Sum(v => Math.Exp(v - max));
            return Math.Exp(logits[target] - max) / z;
        }
        bool moved = false;
        for (int l = 0; l < m.Config.NumLayers; l++)
            for (int h = 0; h < m.Config.NumHeads; h++)
            {
                double direct = Prompts.Select((p, i) =>
                    P(p, Targets[i], new Overwrite(l, h, hd, p.Length - 1, means[l][(h * hd)..((h + 1) * hd)])) - P(p, Targets[i], null)).Average();
                Assert.Equal(direct, cie[l, h], 1e-5);
                moved |= Math.Abs(direct) > 1e-4;
            }
        Assert.True(moved, "no patch changed any probability: the test would not notice a missing patch");
    }

    [SharedFact]
    public void VectorIsTheOutputProjectionOfTheChosenHeadsMeansWithoutBias()
    {
        var m = ModelLoader.Load(Shared.Fixture("gpt2-tiny"));
        Assert.NotNull(((Linear)m.Layers[0].O).Bias);   // GPT-2 has an o_proj bias: the FV must leave it out
        var means = FunctionVector.MeanHeadOutputs(m, Prompts);
        HeadEffect[] heads = [new(1, 0, 0.3), new(0, 1, 0.2), new(1, 1, 0.1)];
        var fv = FunctionVector.Vector(m, means, heads);
        int hd = m.Config.HeadDim, w = m.Config.SiteWidth;
        for (int i = 0; i < m.Hidden; i++)
        {
            double expected = 0;
            foreach (var e in heads)
            {
                var wo = ((Linear)m.Layers[e.Layer].O).WeightF32();   // [hidden, site width]
                for (int j = 0; j < hd; j++) expected += wo[i * w + e.Head * hd + j] * means[e.Layer][e.Head * hd + j];
            }
            Assert.Equal(expected, fv[i], 1e-5);
        }
    }

    [Fact]
    public void TopHeadsAreTheHighestMeanEffectsCappedAtTheHeadCount()
    {
        var cie = new double[,] { { 0.2, -0.2, 0.5 }, { 0.3, 0.0, 0.2 } };   // L0H0 ties L1H2: (layer, head) order decides
        Assert.Equal(["L0H2", "L1H0", "L0H0"], FunctionVector.TopHeads(cie, 3).Select(h => h.ToString()));
        Assert.Equal(6, FunctionVector.TopHeads(cie, 10).Length);
        Assert.Empty(FunctionVector.TopHeads(cie, 0));
    }

    [SharedFact]
    public void FileRoundTripsAndRefusesAnotherModelOrMalformedMetadata()
    {
        using var tmp = new TempDir();
        var llama = ModelLoader.Load(Shared.Fixture("llama-tiny"));
        var fit = FunctionVector.Extract(llama, Prompts, Prompts, Targets, 3);
        new FunctionVectorFile(fit.Vector, FunctionVectorFile.BaseHeader(llama, fit, 1, ApplyMode.Last) with { Task = "antonym" }).Save(tmp.File("fv.safetensors"));
        var back = FunctionVectorFile.Load(tmp.File("fv.safetensors"));
        Assert.Equal(fit.Vector, back.Vector);
        Assert.Equal(fit.Heads, back.Heads);
        Assert.Equal(1, back.Layer);
        Assert.Equal(ApplyMode.Last, back.Apply);
        Assert.Equal("antonym", back.Header.Task);
        back.CheckModel(llama, "fv");
        var qwen = ModelLoader.Load(Shared.Fixture("qwen2-tiny"));
        var e = Assert.Throws<LayerSteerException>(() => back.CheckModel(qwen, tmp.File("fv.safetensors")));
        Assert.Contains("another model", e.Message);
        Assert.Contains("fv.safetensors", e.Message);

        var md = back.Header.ToMetadata();
        md["heads"] = "[{\"layer\": ";
        SafeTensorsWriter.Write(tmp.File("bad.safetensors"), new Dictionary<string, TensorData> { ["function_vector"] = TensorData.F32([2], [1f, 2f]) }, md);
        Assert.Contains("\"heads\"", Assert.Throws<LayerSteerException>(() => FunctionVectorFile.Load(tmp.File("bad.safetensors"))).Message);
        SafeTensorsWriter.Write(tmp.File("vec.safetensors"), new Dictionary<string, TensorData> { ["delta"] = TensorData.F32([2], [1f, 2f]) },
            new Dictionary<string, string> { ["format"] = SteeringVector.Format });
        Assert.Contains("not a LayerSteer function vector", Assert.Throws<LayerSteerException>(() => FunctionVectorFile.Load(tmp.File("vec.safetensors"))).Message);
        Assert.Contains("not found", Assert.Throws<LayerSteerException>(() => FunctionVectorFile.Load(tmp.File("missing.safetensors"))).Message);
    }
}
