using System.Runtime.InteropServices;

namespace LayerSteer.Formats;

/// <summary>A llama2.c legacy (v0) .bin checkpoint, converted on load to Hugging Face Llama names and q/k row layout.</summary>
public sealed class Llama2cCheckpoint
{
    const int HeaderBytes = 7 * sizeof(int);

    /// <summary>The architecture the header describes, as a Llama config (RoPE θ 10000, RMSNorm ε 1e-5, BOS 1, EOS 2).</summary>
    public ModelConfig Config { get; }
    /// <summary>fp32 tensors under Hugging Face names; q/k rows already in rotate_half order.</summary>
    public InMemoryWeights Weights { get; }

    Llama2cCheckpoint(ModelConfig config, InMemoryWeights weights) { Config = config; Weights = weights; }

    public static Llama2cCheckpoint Load(string path)
    {
        long length = WeightSources.FileLength(path);
        if (length < HeaderBytes) throw LayerSteerException.InFile(path, $"truncated: {length} bytes, a llama2.c header needs {HeaderBytes}");
        using var fs = WeightSources.Try(path, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read));
        var h = new int[7];
        fs.ReadExactly(MemoryMarshal.AsBytes(h.AsSpan()));
        var config = Validate(h, length, path);
        return new Llama2cCheckpoint(config, ReadWeights(fs, config, path));
    }

    /// <summary>Checks the header [dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len] against the file length before anything is allocated.</summary>
    static ModelConfig Validate(int[] h, long length, string path)
    {
        int dim = h[0], hidden = h[1], layers = h[2], heads = h[3], kv = h[4], vocabField = h[5], seq = h[6];
        string header = $"header [dim {dim}, hidden_dim {hidden}, n_layers {layers}, n_heads {heads}, n_kv_heads {kv}, vocab_size {vocabField}, seq_len {seq}]";
        if (dim <= 0 || hidden <= 0 || layers <= 0 || heads <= 0 || kv <= 0 || vocabField == 0 || vocabField == int.MinValue || seq <= 0)
            throw LayerSteerException.InFile(path, $"not a llama2.c checkpoint: {header} has non-positive sizes");
        if (dim % heads != 0 || heads % kv != 0 || dim / heads % 2 != 0)
            throw LayerSteerException.InFile(path, $"not a llama2.c checkpoint: {header} needs dim divisible by n_heads into an even head size, and n_heads divisible by n_kv_heads");
        bool shared = vocabField > 0;
        // Int128 so that absurd headers cannot overflow. Float counts of: embedding (+ classifier if untied);
        // per layer 2 norms, wq, wo, wk, wv, w1, w2, w3; final norm; freq_cis real+imag.
        Int128 d = dim, hd = hidden, vocab = Math.Abs(vocabField), headSize = dim / heads, kvDim = kv * headSize;
        Int128 floats = vocab * d * (shared ? 1 : 2) + layers * (2 * d + 2 * d * d + 2 * kvDim * d + 3 * d * hd) + d + seq * headSize;
        Int128 expected = HeaderBytes + 4 * floats;
        if (expected != length)
            throw LayerSteerException.InFile(path, expected > length
                ? $"truncated or not a llama2.c checkpoint: {header} needs {expected} bytes, file has {length}"
                : $"not a llama2.c checkpoint: {header} needs {expected} bytes, file has {length} (trailing data)");
        if (vocab * d > Array.MaxLength || hd * d > Array.MaxLength || d * d > Array.MaxLength)
            throw LayerSteerException.InFile(path, $"{header}: a tensor is too large for one array");
        return new ModelConfig
        {
            ModelType = "llama", VocabSize = (int)vocab, HiddenSize = dim, IntermediateSize = hidden, NumLayers = layers,
            NumHeads = heads, NumKvHeads = kv, HeadDim = dim / heads, NormEps = 1e-5, RopeTheta = 10000.0,
            TieWordEmbeddings = shared, MaxPositions = seq, BosTokenId = 1, EosTokenIds = [2],
        };
    }

    /// <summary>Reads the fp32 blocks in file order (each block holds all layers) and names them as Hugging Face does.</summary>
    static InMemoryWeights ReadWeights(Stream fs, ModelConfig c, string path)
    {
        int dim = c.HiddenSize, hidden = c.IntermediateSize, kvDim = c.NumKvHeads * c.HeadDim;
        float[] Next(long count) { var a = new float[count]; fs.ReadExactly(MemoryMarshal.AsBytes(a.AsSpan())); return a; }
        float[][] PerLayer(long count) => Enumerable.Range(0, c.NumLayers).Select(_ => Next(count)).ToArray();

        var w = new InMemoryWeights(path);
        w.Add("model.embed_tokens.weight", [c.VocabSize, dim], Next((long)c.VocabSize * dim));
        var rmsAtt = PerLayer(dim);
        var wq = PerLayer((long)dim * dim);
        var wk = PerLayer((long)kvDim * dim);
        var wv = PerLayer((long)kvDim * dim);
        var wo = PerLayer((long)dim * dim);
        var rmsFfn = PerLayer(dim);
        var w1 = PerLayer((long)hidden * dim);
        var w2 = PerLayer((long)dim * hidden);
        var w3 = PerLayer((long)hidden * dim);
        for (int i = 0; i < c.NumLayers; i++)
        {
            string p = $"model.layers.{i}.";
            w.Add(p + "input_layernorm.weight", [dim], rmsAtt[i]);
            w.Add(p + "self_attn.q_proj.weight", [dim, dim], ToRotateHalf(wq[i], c.NumHeads, c.HeadDim, dim));
            w.Add(p + "self_attn.k_proj.weight", [kvDim, dim], ToRotateHalf(wk[i], c.NumKvHeads, c.HeadDim, dim));
            w.Add(p + "self_attn.v_proj.weight", [kvDim, dim], wv[i]);
            w.Add(p + "self_attn.o_proj.weight", [dim, dim], wo[i]);
            w.Add(p + "post_attention_layernorm.weight", [dim], rmsFfn[i]);
            w.Add(p + "mlp.gate_proj.weight", [hidden, dim], w1[i]);
            w.Add(p + "mlp.down_proj.weight", [dim, hidden], w2[i]);
            w.Add(p + "mlp.up_proj.weight", [hidden, dim], w3[i]);
        }
        w.Add("model.norm.weight", [dim], Next(dim));
        fs.Seek((long)c.MaxPositions * c.HeadDim * sizeof(float), SeekOrigin.Current); // freq_cis_real/imag: recomputed by the model
        if (!c.TieWordEmbeddings) w.Add("lm_head.weight", [c.VocabSize, dim], Next((long)c.VocabSize * dim));
        return w;
    }

    /// <summary>llama2.c rotates interleaved pairs (2i, 2i+1) of each head; HF's rotate_half pairs (i, i + d/2).
    /// So HF row i takes llama2.c row 2i and HF row i + d/2 takes row 2i+1, per head (as convert_llama_weights_to_hf's permute).</summary>
    internal static float[] ToRotateHalf(float[] w, int heads, int headDim, int cols)
    {
        var result = new float[w.Length];
        int half = headDim / 2;
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < half; i++)
            {
                int head = h * headDim;
                w.AsSpan((head + 2 * i) * cols, cols).CopyTo(result.AsSpan((head + i) * cols));
                w.AsSpan((head + 2 * i + 1) * cols, cols).CopyTo(result.AsSpan((head + half + i) * cols));
            }
        return result;
    }
}
