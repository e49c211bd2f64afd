using LayerSteer.Formats;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Formats;

public class ModelConfigMalformedTests
{
    const string Valid = """{"model_type": "llama", "vocab_size": 32, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4""";

    [Theory]
    [InlineData("{\"model_type\": \"llama\",", "not valid JSON")]
    [InlineData("[1]", "config must be a JSON object")]
    [InlineData("{\"hidden_size\": 16}", "missing \"model_type\"")]
    [InlineData("{\"model_type\": \"bert\"}", "unsupported model_type \"bert\"")]
    [InlineData("""{"model_type": "llama", "vocab_size": 32, "hidden_size": 16, "intermediate_size": 24, "num_attention_heads": 4}""", "missing \"num_hidden_layers\"")]
    [InlineData(Valid + ", \"hidden_size\": \"16\"}", "\"hidden_size\" must be an integer")]
    [InlineData("""{"model_type": "llama", "vocab_size": -32, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4}""", "must be positive")]
    [InlineData(Valid + ", \"num_key_value_heads\": 3}", "not a multiple of num_key_value_heads (3)")]
    [InlineData("""{"model_type": "llama", "vocab_size": 32, "hidden_size": 18, "intermediate_size": 24, "num_hidden_layers": 2, "num_attention_heads": 4}""", "hidden size 18 is not a multiple of 4 heads")]
    [InlineData(Valid + ", \"head_dim\": 5}", "head_dim 5 must be even")]
    [InlineData(Valid + ", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4}}", "rope_scaling type \"yarn\" is not supported")]
    [InlineData(Valid + ", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8, \"low_freq_factor\": 4, \"high_freq_factor\": 4, \"original_max_position_embeddings\": 16}}", "low_freq_factor < high_freq_factor")]
    [InlineData(Valid + ", \"tie_word_embeddings\": \"yes\"}", "must be true or false")]
    [InlineData(Valid + ", \"eos_token_id\": [1, \"2\"]}", "\"eos_token_id\" must hold integers")]
    public void Bad_config_is_rejected_with_file_and_problem(string json, string problem)
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("config.json"), json);
        var e = Assert.Throws<LayerSteerException>(() => ModelConfig.Load(tmp.File("config.json")));
        Assert.Contains("config.json", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Valid_base_config_loads()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("config.json"), Valid + "}");
        Assert.Equal(4, ModelConfig.Load(tmp.File("config.json")).HeadDim);
    }

    [Fact]
    public void Missing_file()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<LayerSteerException>(() => ModelConfig.Load(tmp.File("config.json")));
        Assert.Contains("config.json: config.json not found", e.Message);
    }

    [Fact]
    public void Huge_file_is_refused_without_reading_it()
    {
        using var tmp = new TempDir();
        using (var fs = File.Create(tmp.File("config.json"))) fs.SetLength(1L << 40); // sparse: no disk used
        var e = Assert.Throws<LayerSteerException>(() => ModelConfig.Load(tmp.File("config.json")));
        Assert.Contains("config.json", e.Message);
        Assert.Contains("too large for a config.json", e.Message);
    }
}
