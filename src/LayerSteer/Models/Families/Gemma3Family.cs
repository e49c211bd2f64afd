namespace LayerSteer.Models.Families;

/// <summary>Gemma 3 text models (Gemma3ForCausalLM): Gemma 2's block — sandwich norms, (1+w) RMSNorm, √hidden embedding scale,
/// GeGLU — plus (1+w) RMSNorm on each head of q and of k before RoPE. Sliding (local) layers come from layer_types (or every
/// sliding_window_pattern-th layer is global) and use RoPE base rope_local_base_freq unscaled; global layers use rope_theta
/// with rope_scaling. Soft-capping only when the config sets it (Gemma 3's configs do not).</summary>
public static class Gemma3Family
{
    public static Transformer Build(HfLayout hf, string source, string fingerprint)
    {
        var c = hf.Config;
        var global = hf.Rope();
        var local = new Rope(c.HeadDim, c.HeadDim, c.RopeLocalTheta!.Value, null);
        return hf.Model(i => HfDecoderFamily.Gemma2Layer(hf, i, c.Slides(i) ? local : global) with
        {
            QNorm = hf.Norm(i, "self_attn.q_norm", c.HeadDim),
            KNorm = hf.Norm(i, "self_attn.k_norm", c.HeadDim),
        }, source, fingerprint, hf.GemmaEmbedScale());
    }
}
