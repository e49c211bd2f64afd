namespace LayerSteer.Models.Families;

/// <summary>OLMo 2 (Olmo2ForCausalLM): no norm before attention or MLP; instead each branch output is normalised before its
/// residual add (h + post_attention_layernorm(attn(h)), then h + post_feedforward_layernorm(mlp(h))); q_norm and k_norm are
/// RMSNorms over the whole projected q (heads × head_dim) and k (kv heads × head_dim) before the head split and RoPE.</summary>
public static class Olmo2Family
{
    public static Transformer Build(HfLayout hf, string source, string fingerprint)
    {
        var rope = hf.Rope();
        return hf.Model(i => hf.Block(i, rope) with
        {
            QNorm = hf.Norm(i, "self_attn.q_norm", hf.Config.SiteWidth),
            KNorm = hf.Norm(i, "self_attn.k_norm", hf.KvWidth),
            PostAttnNorm = hf.Norm(i, "post_attention_layernorm"),
            PostMlpNorm = hf.Norm(i, "post_feedforward_layernorm"),
        }, source, fingerprint);
    }
}
