using LayerSteer.Formats;
using LayerSteer.Tests.Support;
using LayerSteer.Tensors;

namespace LayerSteer.Tests.Formats;

/// <summary>Reads the shared BF16 and F16 fixtures; expected values were decoded independently (Python struct).</summary>
public class FixtureWeightsTests
{
    [SharedFact]
    public void Qwen2_tiny_BF16_weights_convert_exactly()
    {
        string dir = Shared.Fixture("qwen2-tiny");
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var w = WeightSources.Open(dir);
        Assert.Equal("pt", ((SafeTensorsFile)w).Metadata["format"]);
        Assert.Equal(DType.BF16, w.Info("model.norm.weight").DType);
        Assert.Equal([(long)config.VocabSize, config.HiddenSize], w.Info("model.embed_tokens.weight").Shape);
        Assert.Equal([0.0556640625f, -0.333984375f, -0.1513671875f, 0.0458984375f], w.ReadF32("model.layers.0.self_attn.q_proj.bias")[..4]);
        var embed = w.ReadF32("model.embed_tokens.weight");
        Assert.Equal(4272, embed.Length);
        Assert.Equal(-25.559684693813324, embed.Sum(x => (double)x), 9);
    }

    [SharedFact]
    public void Llama3_rope_tiny_F16_weights_convert_exactly()
    {
        string dir = Shared.Fixture("llama3-rope-tiny");
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var w = WeightSources.Open(dir);
        Assert.Equal(DType.F16, w.Info("model.norm.weight").DType);
        Assert.Equal([(long)config.NumKvHeads * config.HeadDim, config.HiddenSize], w.Info("model.layers.1.self_attn.k_proj.weight").Shape);
        var k = w.ReadF32("model.layers.1.self_attn.k_proj.weight");
        Assert.Equal([0.10443115234375f, -0.160888671875f, 0.08905029296875f, 0.2100830078125f], k[..4]);
        Assert.Equal(-3.4890894889831543, k.Sum(x => (double)x), 9);
        Assert.Equal(63.9658203125, w.ReadF32("model.norm.weight").Sum(x => (double)x), 9);
        Assert.Equal(8.0, config.RopeScaling!.Factor);
    }
}
