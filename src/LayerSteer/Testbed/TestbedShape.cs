using System.Text.Json.Nodes;
using LayerSteer.Formats;

namespace LayerSteer.Testbed;

/// <summary>The architecture of a testbed model: a Llama with tied embeddings, SwiGLU MLP, RMSNorm and RoPE.</summary>
public sealed record TestbedShape
{
    public int Layers { get; init; } = 6;
    public int Hidden { get; init; } = 128;
    public int Heads { get; init; } = 4;
    public int KvHeads { get; init; } = 2;
    public int Vocab { get; init; } = 2048;
    /// <summary>MLP inner width; 0 = 3 × hidden.</summary>
    public int Intermediate { get; init; }
    public int MaxPositions { get; init; } = 256;
    /// <summary>The LM head reuses the embedding table (the default) or has its own lm_head.weight.</summary>
    public bool Tied { get; init; } = true;
    public const double NormEps = 1e-5, RopeTheta = 10000.0;

    public int Inner => Intermediate > 0 ? Intermediate : 3 * Hidden;
    public int HeadDim => Hidden / Heads;

    /// <summary>Checks the sizes a Llama needs; errors name the CLI option.</summary>
    public void Validate()
    {
        if (Layers < 1 || Hidden < 2 || Heads < 1 || KvHeads < 1 || Vocab < 258 || Inner < 1)
            throw new LayerSteerException("--layers, --hidden, --heads, --kv-heads must be positive and --vocab at least 258 (256 bytes + <|endoftext|> + one merge)");
        if (Hidden % Heads != 0) throw new LayerSteerException($"--hidden {Hidden} is not a multiple of --heads {Heads}");
        if (HeadDim % 2 != 0) throw new LayerSteerException($"head width {HeadDim} (--hidden / --heads) must be even for RoPE");
        if (Heads % KvHeads != 0) throw new LayerSteerException($"--heads {Heads} is not a multiple of --kv-heads {KvHeads}");
    }

    /// <summary>The Hugging Face config.json of this shape (bos = eos = id 0, <c>&lt;|endoftext|&gt;</c>).</summary>
    public JsonObject ConfigJson(string dtype) => new()
    {
        ["model_type"] = "llama",
        ["architectures"] = new JsonArray("LlamaForCausalLM"),
        ["vocab_size"] = Vocab,
        ["hidden_size"] = Hidden,
        ["intermediate_size"] = Inner,
        ["num_hidden_layers"] = Layers,
        ["num_attention_heads"] = Heads,
        ["num_key_value_heads"] = KvHeads,
        ["head_dim"] = HeadDim,
        ["rms_norm_eps"] = NormEps,
        ["rope_theta"] = RopeTheta,
        ["tie_word_embeddings"] = Tied,
        ["max_position_embeddings"] = MaxPositions,
        ["hidden_act"] = "silu",
        ["attention_bias"] = false,
        ["mlp_bias"] = false,
        ["bos_token_id"] = 0,
        ["eos_token_id"] = 0,
        ["torch_dtype"] = dtype,
    };

    public ModelConfig Config() => ModelConfig.Parse(System.Text.Json.JsonDocument.Parse(ConfigJson("float32").ToJsonString()).RootElement, "testbed config");
}
