namespace LayerSteer.Models.Families;

/// <summary>Qwen 3 (Qwen3ForCausalLM): Llama's block with an RMSNorm on each head of q and of k (weight [head_dim]) before RoPE,
/// head_dim from the config (site width heads × head_dim may differ from hidden), no q/k/v biases unless attention_bias.</summary>
public static class Qwen3Family
{
    public static Transformer Build(HfLayout hf, string source, string fingerprint)
    {
        var rope = hf.Rope();
        int d = hf.Config.HeadDim;
        return hf.Model(i => hf.Block(i, rope) with
        {
            AttnNorm = hf.Norm(i, "input_layernorm"),
            QNorm = hf.Norm(i, "self_attn.q_norm", d),
            KNorm = hf.Norm(i, "self_attn.k_norm", d),
            MlpNorm = hf.Norm(i, "post_attention_layernorm"),
        }, source, fingerprint);
    }
}
