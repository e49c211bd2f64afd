using LayerSteer.Formats;
using LayerSteer.Tensors;

namespace LayerSteer.Models.Families;

/// <summary>The tensor names Hugging Face decoder checkpoints share ("model.layers.{i}.self_attn.q_proj.weight", …, "model.norm",
/// "lm_head"), read into the engine's blocks; each family file picks the pieces its modeling_*.py uses.</summary>
public sealed class HfLayout(ModelConfig c, WeightReader w, NormKind normKind)
{
    public ModelConfig Config => c;
    public WeightReader Weights => w;
    int Hidden => c.HiddenSize;
    public int KvWidth => c.NumKvHeads * c.HeadDim;

    static string Layer(int i) => $"model.layers.{i}.";

    /// <summary>The family's RMSNorm (weight [width], hidden size by default).</summary>
    public Norm Norm(string name, int? width = null) => new(normKind, w.F32(name + ".weight", width ?? Hidden), null, c.NormEps);

    /// <summary>Layer <paramref name="layer"/>'s norm <paramref name="name"/> ("input_layernorm", "self_attn.q_norm", …).</summary>
    public Norm Norm(int layer, string name, int? width = null) => Norm(Layer(layer) + name, width);

    /// <summary>The attention and MLP of one layer with no norms yet (each family adds its own with <c>with</c>):
    /// q/k/v/o_proj and gate/up/down_proj unless the family passes its own maps (Phi-3's fused ones).</summary>
    public DecoderLayer Block(int layer, Rope rope, (ILinear Q, ILinear K, ILinear V)? qkv = null, Mlp? mlp = null)
    {
        var (q, k, v) = qkv ?? (Attn(layer, "q_proj", c.QkvBias), Attn(layer, "k_proj", c.QkvBias), Attn(layer, "v_proj", c.QkvBias));
        return new DecoderLayer
        {
            Index = layer, HeadDim = c.HeadDim, Q = q, K = k, V = v, O = Attn(layer, "o_proj", c.OBias),
            Attention = Attention(layer), Rope = rope, Mlp = mlp ?? GatedMlp(layer),
        };
    }

    /// <summary>Fused [Σ rows, hidden] weight of layer <paramref name="layer"/> split into consecutive blocks of rows.</summary>
    public Linear[] Fused(int layer, string name, params int[] rows) => w.SplitLinear($"{Layer(layer)}{name}.weight", Hidden, rows);

    /// <summary>mlp.down_proj of layer <paramref name="layer"/>.</summary>
    public Linear Down(int layer) => MlpProj(layer, "down_proj", Hidden, c.IntermediateSize);

    /// <summary>self_attn.{proj}: q_proj, k_proj, v_proj ([out, hidden]) or o_proj ([hidden, site width]).</summary>
    Linear Attn(int layer, string proj, bool bias)
    {
        var (outDim, inDim) = proj switch { "q_proj" => (c.SiteWidth, Hidden), "o_proj" => (Hidden, c.SiteWidth), _ => (KvWidth, Hidden) };
        string p = $"{Layer(layer)}self_attn.{proj}";
        return w.Linear(p + ".weight", outDim, inDim, bias ? p + ".bias" : null);
    }

    /// <summary>Attention with 1/√(query_pre_attn_scalar or head_dim) scaling, the config's soft-capping, and the window on sliding layers.</summary>
    Attention Attention(int layer) => new(c.NumHeads, c.NumKvHeads, c.HeadDim, 1.0 / Math.Sqrt(c.QueryPreAttnScalar ?? c.HeadDim),
        c.AttnLogitSoftcapping, c.Slides(layer) ? c.SlidingWindow : null);

    /// <summary>RoPE over the config's rotary dims with rope_theta and rope_scaling.</summary>
    public Rope Rope() => new(c.HeadDim, c.RotaryDim ?? c.HeadDim, c.RopeTheta, c.RopeScaling);

    // mlp.gate_proj / up_proj / down_proj: down(act(gate·x) ⊙ up·x).
    Mlp GatedMlp(int layer) => new(MlpProj(layer, "gate_proj", c.IntermediateSize, Hidden), MlpProj(layer, "up_proj", c.IntermediateSize, Hidden), Down(layer), c.HiddenAct);

    Linear MlpProj(int layer, string name, int outDim, int inDim)
    {
        string p = $"{Layer(layer)}mlp.{name}";
        return w.Linear(p + ".weight", outDim, inDim, c.MlpBias ? p + ".bias" : null);
    }

    /// <summary>The whole model around its layers (<paramref name="layer"/>(i) builds layer i): embed_tokens (× <paramref name="embedScale"/>),
    /// model.norm, and lm_head or the tied embedding.</summary>
    public Transformer Model(Func<int, DecoderLayer> layer, string source, string fingerprint, float embedScale = 1f)
    {
        var layers = Enumerable.Range(0, c.NumLayers).Select(layer).ToArray();
        var embed = w.Linear("model.embed_tokens.weight", c.VocabSize, Hidden);
        if (!c.TieWordEmbeddings && !w.Has("lm_head.weight"))
            throw LayerSteerException.InFile(w.Source.Path, "tensor \"lm_head.weight\" is missing and tie_word_embeddings is false");
        var head = c.TieWordEmbeddings ? embed : w.Linear("lm_head.weight", c.VocabSize, Hidden);
        return new Transformer
        {
            Config = c,
            Embedding = embed,
            EmbedScale = embedScale,
            Layers = layers,
            Head = new OutputHead { Norm = Norm("model.norm"), Head = head, Softcap = c.FinalLogitSoftcapping },
            Source = source,
            Fingerprint = fingerprint,
        };
    }

    /// <summary>Gemma's embedding multiplier: HF multiplies by √hidden cast to the weights' dtype; mirror that rounding for 16-bit checkpoints.</summary>
    public float GemmaEmbedScale() => RoundToDType((float)Math.Sqrt(Hidden), w.Source.Info("model.embed_tokens.weight").DType);

    static float RoundToDType(float v, DType t) => t switch
    {
        DType.BF16 => BitConverter.Int32BitsToSingle((int)((BitConverter.SingleToInt32Bits(v) + 0x7FFF + ((BitConverter.SingleToInt32Bits(v) >> 16) & 1)) & 0xFFFF0000)),
        DType.F16 => (float)(Half)v,
        _ => v,
    };
}
