namespace LayerSteer.Models.Families;

/// <summary>Llama, Mistral and Qwen2 — input_layernorm → attention → post_attention_layernorm → MLP — and Gemma 2, which adds
/// sandwich norms (post_attention_layernorm on the attention output, pre/post_feedforward_layernorm around the MLP), (1+w)
/// RMSNorm, √hidden embedding scale, soft-capping and sliding windows on even layers.</summary>
public static class HfDecoderFamily
{
    public static Transformer Build(HfLayout hf, string source, string fingerprint)
    {
        var rope = hf.Rope();
        if (hf.Config.ModelType == "gemma2") return hf.Model(i => Gemma2Layer(hf, i, rope), source, fingerprint, hf.GemmaEmbedScale());
        return hf.Model(i => hf.Block(i, rope) with
        {
            AttnNorm = hf.Norm(i, "input_layernorm"),
            MlpNorm = hf.Norm(i, "post_attention_layernorm"),
        }, source, fingerprint);
    }

    /// <summary>Gemma 2's block (Gemma 3 builds on it).</summary>
    public static DecoderLayer Gemma2Layer(HfLayout hf, int i, Rope rope) => hf.Block(i, rope) with
    {
        AttnNorm = hf.Norm(i, "input_layernorm"),
        PostAttnNorm = hf.Norm(i, "post_attention_layernorm"),
        MlpNorm = hf.Norm(i, "pre_feedforward_layernorm"),
        PostMlpNorm = hf.Norm(i, "post_feedforward_layernorm"),
    };
}
