using LayerSteer.Formats;
using LayerSteer.Models;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Models;

/// <summary>What the config.json of Qwen 3, Gemma 3, Phi-3 and OLMo 2 means to the engine: layer patterns, head_dim, rotary
/// dims, longrope; and what it rejects.</summary>
public class FamilyConfigTests
{
    static ModelConfig Parse(string json)
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("config.json"), json);
        return ModelConfig.Load(tmp.File("config.json"));
    }

    static string Config(string type, int layers, string extra = "") =>
        $$"""{"model_type": "{{type}}", "vocab_size": 32, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": {{layers}}, "num_attention_heads": 4{{extra}}}""";

    [Fact]
    public void Gemma3WithoutLayerTypesMakesEverySixthLayerGlobal()
    {
        // Gemma-3-1B's config: 26 layers, sliding_window_pattern 6, window 512.
        var c = Parse(Config("gemma3_text", 26, """, "head_dim": 8, "sliding_window": 512, "sliding_window_pattern": 6"""));
        Assert.Equal("sliding window 512 on layers 0-4, 6-10, 12-16, 18-22, 24-25; full on 5, 11, 17, 23", c.AttentionLayers());
        Assert.Equal(10000.0, c.RopeLocalTheta);
        Assert.Equal(1e6, c.RopeTheta);       // Gemma3TextConfig's default
        Assert.True(c.TieWordEmbeddings);
        Assert.Equal("gelu_pytorch_tanh", c.HiddenAct);
    }

    [Fact]
    public void LayerTypesOverrideThePattern()
    {
        var c = Parse(Config("gemma3_text", 3, """, "head_dim": 8, "sliding_window": 4, "sliding_window_pattern": 6, "layer_types": ["full_attention", "sliding_attention", "full_attention"]"""));
        Assert.Equal([false, true, false], Enumerable.Range(0, 3).Select(c.Slides));
        Assert.Equal("sliding window 4 on layers 1; full on 0, 2", c.AttentionLayers());
    }

    [SharedFact]
    public void InfoPatternOfTheFixtures()
    {
        Assert.Equal("sliding window 3 on layers 0-4; full on 5", ModelConfig.Load(Shared.Path("fixtures", "gemma3-tiny", "config.json")).AttentionLayers());
        Assert.Equal("sliding window 4 on layers 0, 2; full on 1", ModelConfig.Load(Shared.Path("fixtures", "gemma2-tiny", "config.json")).AttentionLayers());
        Assert.Equal("full on every layer", ModelConfig.Load(Shared.Path("fixtures", "qwen3-tiny", "config.json")).AttentionLayers());
    }

    [Fact]
    public void Qwen3HeadDimDefaultsAsInHfAndSlidesOnlyWhenAsked()
    {
        Assert.Equal(128, Parse(Config("qwen3", 2)).HeadDim);
        Assert.Equal(512, Parse(Config("qwen3", 2)).SiteWidth);
        Assert.Equal("full on every layer", Parse(Config("qwen3", 4, """, "sliding_window": 8, "use_sliding_window": false""")).AttentionLayers());
        Assert.Equal("sliding window 8 on layers 2-3; full on 0-1",
            Parse(Config("qwen3", 4, """, "sliding_window": 8, "use_sliding_window": true, "max_window_layers": 2""")).AttentionLayers());
    }

    [SharedFact]
    public void Phi3LongRopeFromTheFixtureConfig()
    {
        var c = ModelConfig.Load(Shared.Path("fixtures", "phi3-tiny", "config.json"));
        Assert.Equal(12, c.RotaryDim);   // 0.75 × 16
        var s = c.RopeScaling!;
        Assert.Equal(("longrope", 6), (s.Type, s.OriginalMaxPositions));
        Assert.Equal(Math.Sqrt(1 + Math.Log(64.0 / 6) / Math.Log(6)), s.AttentionFactor!.Value, 12);
        Assert.Equal(1.5235, s.AttentionFactor!.Value, 4);   // the value the fixture's README states
        Assert.Equal([1.5, 2.0, 3.0, 5.0, 8.0, 13.0], s.LongFactor!);
    }

    [SharedFact]
    public void OlderFamiliesKeepTheirFingerprints()
    {
        // Vector files are bound to the fingerprint: the members added for the new families must not change old ones.
        Assert.Equal("f92c17bcb26bb7d5", ModelLoader.Load(Shared.Fixture("llama-tiny")).Fingerprint);
        Assert.Equal("055eefbe4a2b489c", ModelLoader.Load(Shared.Fixture("gemma2-tiny")).Fingerprint);
        Assert.Equal("bd3afc23ea722451", ModelLoader.Load(Shared.Fixture("llama3-rope-tiny")).Fingerprint);
    }

    [Theory]
    [InlineData("bert", "", "supported: llama, mistral, qwen2, gemma2, gpt2, qwen3, gemma3_text, phi3, olmo2")]
    [InlineData("gemma3", "", "the text models: Gemma3ForCausalLM, model_type gemma3_text")]
    [InlineData("gemma3_text", """, "layer_types": ["sliding_attention"]""", "\"layer_types\" must list one type per layer (2)")]
    [InlineData("gemma3_text", """, "layer_types": ["sliding_attention", "chunked_attention"]""", "layer_types holds \"chunked_attention\"")]
    [InlineData("gemma3_text", """, "sliding_window_pattern": 0""", "\"sliding_window_pattern\" must be positive")]
    [InlineData("gemma3_text", """, "sliding_window": 0""", "\"sliding_window\" must be positive")]
    [InlineData("phi3", """, "partial_rotary_factor": 0.3""", "partial_rotary_factor 0.3 gives 1 rotary dims of head_dim 4")]
    [InlineData("phi3", """, "rope_scaling": {"type": "longrope", "short_factor": [1], "long_factor": [1, 2]}""", "rope_scaling.short_factor has 1 numbers, expected 2")]
    [InlineData("phi3", """, "rope_scaling": {"type": "longrope", "short_factor": [1, 1]}""", "rope_scaling.long_factor must be a list of 2 numbers")]
    [InlineData("phi3", """, "rope_scaling": {"type": "longrope", "short_factor": [1, 0], "long_factor": [1, 2]}""", "rope_scaling.short_factor must hold positive numbers")]
    [InlineData("olmo2", """, "rope_scaling": {"rope_type": "linear"}""", "rope_scaling of type linear needs \"factor\" > 0")]
    [InlineData("qwen3", """, "rope_scaling": {"rope_type": "yarn", "factor": 4}""", "supported: llama3, linear, longrope")]
    public void BadConfigsOfTheNewFamiliesAreClearErrors(string type, string extra, string problem)
    {
        var e = Assert.Throws<LayerSteerException>(() => Parse(Config(type, 2, extra)));
        Assert.Contains("config.json", e.Message);
        Assert.Contains(problem, e.Message);
    }
}
