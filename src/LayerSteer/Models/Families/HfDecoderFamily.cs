using LayerSteer.Formats;
using LayerSteer.Tensors;

namespace LayerSteer.Models.Families;

/// <summary>Llama, Mistral, Qwen2 and Gemma 2: the "model.layers.{i}.self_attn / mlp" layout.
/// Gemma 2 adds sandwich norms, (1+w) RMSNorm, √hidden embedding scale, soft-capping and alternating sliding windows.</summary>
public static class HfDecoderFamily
{
    public static Transformer Build(ModelConfig c, WeightReader w, string source, string fingerprint)
    {
        bool gemma = c.ModelType == "gemma2";
        int h = c.HiddenSize, site = c.SiteWidth, kv = c.NumKvHeads * c.HeadDim, ff = c.IntermediateSize;
        var normKind = gemma ? NormKind.RmsPlusOne : NormKind.Rms;
        Norm N(string name) => new(normKind, w.F32(name, h), null, c.NormEps);
        var rope = new Rope(c.HeadDim, c.RopeTheta, c.RopeScaling);
        double scale = 1.0 / Math.Sqrt(c.QueryPreAttnScalar ?? c.HeadDim);

        var layers = new DecoderLayer[c.NumLayers];
        for (int i = 0; i < c.NumLayers; i++)
        {
            string p = $"model.layers.{i}.";
            string? Bias(string proj, bool on) => on ? $"{p}self_attn.{proj}.bias" : null;
            // Gemma 2 slides on even layers; Mistral on every layer (a window longer than the sequence is a no-op).
            int? window = gemma ? (i % 2 == 0 ? c.SlidingWindow : null) : c.SlidingWindow;
            layers[i] = new DecoderLayer
            {
                Index = i,
                HeadDim = c.HeadDim,
                AttnNorm = N(p + "input_layernorm.weight"),
                Q = w.Linear(p + "self_attn.q_proj.weight", site, h, Bias("q_proj", c.QkvBias)),
                K = w.Linear(p + "self_attn.k_proj.weight", kv, h, Bias("k_proj", c.QkvBias)),
                V = w.Linear(p + "self_attn.v_proj.weight", kv, h, Bias("v_proj", c.QkvBias)),
                O = w.Linear(p + "self_attn.o_proj.weight", h, site, Bias("o_proj", c.OBias)),
                Attention = new Attention(c.NumHeads, c.NumKvHeads, c.HeadDim, scale, c.AttnLogitSoftcapping, window),
                Rope = rope,
                PostAttnNorm = gemma ? N(p + "post_attention_layernorm.weight") : null,
                MlpNorm = N(p + (gemma ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight")),
                Mlp = new Mlp(
                    w.Linear(p + "mlp.gate_proj.weight", ff, h, c.MlpBias ? p + "mlp.gate_proj.bias" : null),
                    w.Linear(p + "mlp.up_proj.weight", ff, h, c.MlpBias ? p + "mlp.up_proj.bias" : null),
                    w.Linear(p + "mlp.down_proj.weight", h, ff, c.MlpBias ? p + "mlp.down_proj.bias" : null),
                    c.HiddenAct),
                PostMlpNorm = gemma ? N(p + "post_feedforward_layernorm.weight") : null,
            };
        }
        var embed = w.Linear("model.embed_tokens.weight", c.VocabSize, h);
        var head = c.TieWordEmbeddings || !w.Has("lm_head.weight") ? embed : w.Linear("lm_head.weight", c.VocabSize, h);
        if (!c.TieWordEmbeddings && !w.Has("lm_head.weight"))
            throw LayerSteerException.InFile(w.Source.Path, "tensor \"lm_head.weight\" is missing and tie_word_embeddings is false");
        return new Transformer
        {
            Config = c,
            Embedding = embed,
            EmbedScale = gemma ? RoundToDType((float)Math.Sqrt(h), w.Source.Info("model.embed_tokens.weight").DType) : 1f,
            Layers = layers,
            Head = new OutputHead { Norm = N("model.norm.weight"), Head = head, Softcap = c.FinalLogitSoftcapping },
            Source = source,
            Fingerprint = fingerprint,
        };
    }

    // HF multiplies by √hidden cast to the activation dtype; mirror that rounding for 16-bit checkpoints.
    static float RoundToDType(float v, DType t) => t switch
    {
        DType.BF16 => BitConverter.Int32BitsToSingle((int)((BitConverter.SingleToInt32Bits(v) + 0x7FFF + ((BitConverter.SingleToInt32Bits(v) >> 16) & 1)) & 0xFFFF0000)),
        DType.F16 => (float)(Half)v,
        _ => v,
    };
}
