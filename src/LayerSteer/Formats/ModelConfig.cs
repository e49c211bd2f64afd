using System.Text.Json;

namespace LayerSteer.Formats;

/// <summary>Llama 3's piecewise RoPE frequency rescaling (rope_scaling.rope_type = "llama3").</summary>
public sealed record RopeScaling(string Type, double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositions);

/// <summary>The architecture hyper-parameters of a Hugging Face config.json, normalised across families.</summary>
public sealed record ModelConfig
{
    public static readonly string[] SupportedTypes = ["llama", "mistral", "qwen2", "gemma2", "gpt2"];

    public required string ModelType { get; init; }
    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumLayers { get; init; }
    public required int NumHeads { get; init; }
    public required int NumKvHeads { get; init; }
    public required int HeadDim { get; init; }
    public required double NormEps { get; init; }
    public double RopeTheta { get; init; } = 10000.0;
    public RopeScaling? RopeScaling { get; init; }
    public bool TieWordEmbeddings { get; init; }
    /// <summary>Bias on q/k/v projections (always on for qwen2, attention_bias for llama/mistral).</summary>
    public bool QkvBias { get; init; }
    /// <summary>Bias on o_proj (llama/mistral attention_bias).</summary>
    public bool OBias { get; init; }
    public bool MlpBias { get; init; }
    public int MaxPositions { get; init; }
    public string HiddenAct { get; init; } = "silu";
    public int? BosTokenId { get; init; }
    public int[] EosTokenIds { get; init; } = [];
    /// <summary>Attention window in tokens (mistral: every layer; gemma2: even layers), null for full attention.</summary>
    public int? SlidingWindow { get; init; }
    public double? QueryPreAttnScalar { get; init; }
    public double? AttnLogitSoftcapping { get; init; }
    public double? FinalLogitSoftcapping { get; init; }

    /// <summary>Width of the intervention site: the concatenated head outputs (o_proj input).</summary>
    public int SiteWidth => NumHeads * HeadDim;

    const long MaxBytes = 16 << 20;

    public static ModelConfig Load(string path)
    {
        if (!File.Exists(path)) throw LayerSteerException.InFile(path, "config.json not found");
        // A config is a few kB; refuse anything that could exhaust memory (e.g. a weights file passed by mistake).
        long length = new FileInfo(path).Length;
        if (length > MaxBytes) throw LayerSteerException.InFile(path, $"{length} bytes is too large for a config.json (limit {MaxBytes})");
        using var doc = JsonText.Parse(WeightSources.Try(path, () => File.ReadAllBytes(path)), path);
        return Parse(doc.RootElement, path);
    }

    public static ModelConfig Parse(JsonElement j, string path)
    {
        if (j.ValueKind != JsonValueKind.Object) throw LayerSteerException.InFile(path, "config must be a JSON object");
        string type = Str(j, "model_type", path) ?? throw LayerSteerException.InFile(path, "missing \"model_type\"");
        if (!SupportedTypes.Contains(type))
            throw LayerSteerException.InFile(path, $"unsupported model_type \"{type}\"; supported: {string.Join(", ", SupportedTypes)}");

        bool gpt2 = type == "gpt2";
        int hidden = Req(j, gpt2 ? "n_embd" : "hidden_size", path);
        int heads = Req(j, gpt2 ? "n_head" : "num_attention_heads", path);
        int layers = Req(j, gpt2 ? "n_layer" : "num_hidden_layers", path);
        int vocab = Req(j, "vocab_size", path);
        int kv = Int(j, "num_key_value_heads", path) ?? heads;
        int? explicitHeadDim = Int(j, "head_dim", path);
        if (explicitHeadDim is null && heads > 0 && hidden % heads != 0)
            throw LayerSteerException.InFile(path, $"hidden size {hidden} is not a multiple of {heads} heads and no \"head_dim\" is given");
        int headDim = explicitHeadDim ?? (heads > 0 ? hidden / heads : 0);
        int inter = gpt2 ? (Int(j, "n_inner", path) ?? 4 * hidden) : Req(j, "intermediate_size", path);
        if (hidden <= 0 || heads <= 0 || layers <= 0 || vocab <= 0 || kv <= 0 || headDim <= 0 || inter <= 0)
            throw LayerSteerException.InFile(path, "sizes (hidden, heads, kv heads, head_dim, layers, vocab, intermediate) must be positive");
        if (heads % kv != 0)
            throw LayerSteerException.InFile(path, $"num_attention_heads ({heads}) is not a multiple of num_key_value_heads ({kv})");
        if (!gpt2 && headDim % 2 != 0) throw LayerSteerException.InFile(path, $"head_dim {headDim} must be even for RoPE");
        if (gpt2 && hidden % heads != 0) throw LayerSteerException.InFile(path, $"n_embd {hidden} is not a multiple of n_head {heads}");

        bool attnBias = Bool(j, "attention_bias", path) ?? false;
        return new ModelConfig
        {
            ModelType = type,
            VocabSize = vocab,
            HiddenSize = hidden,
            IntermediateSize = inter,
            NumLayers = layers,
            NumHeads = heads,
            NumKvHeads = gpt2 ? heads : kv,
            HeadDim = headDim,
            NormEps = Dbl(j, gpt2 ? "layer_norm_epsilon" : "rms_norm_eps", path) ?? (gpt2 ? 1e-5 : 1e-6),
            RopeTheta = Dbl(j, "rope_theta", path) ?? 10000.0,
            RopeScaling = ParseRopeScaling(j, path),
            // HF defaults: LlamaConfig/MistralConfig/Qwen2Config untied, Gemma2 and GPT-2 tied.
            TieWordEmbeddings = Bool(j, "tie_word_embeddings", path) ?? type is "gemma2" or "gpt2",
            QkvBias = type == "qwen2" || attnBias || gpt2,
            OBias = (type is "llama" or "mistral" && attnBias) || gpt2,
            MlpBias = (Bool(j, "mlp_bias", path) ?? false) || gpt2,
            MaxPositions = Int(j, gpt2 ? "n_positions" : "max_position_embeddings", path) ?? 2048,
            HiddenAct = Str(j, gpt2 ? "activation_function" : type == "gemma2" ? "hidden_activation" : "hidden_act", path)
                        ?? (type == "gemma2" ? "gelu_pytorch_tanh" : gpt2 ? "gelu_new" : "silu"),
            BosTokenId = Int(j, "bos_token_id", path),
            EosTokenIds = IntOrList(j, "eos_token_id", path),
            SlidingWindow = type is "mistral" or "gemma2" ? Int(j, "sliding_window", path) : null,
            QueryPreAttnScalar = Dbl(j, "query_pre_attn_scalar", path),
            AttnLogitSoftcapping = Dbl(j, "attn_logit_softcapping", path),
            FinalLogitSoftcapping = Dbl(j, "final_logit_softcapping", path),
        };
    }

    static RopeScaling? ParseRopeScaling(JsonElement j, string path)
    {
        if (!j.TryGetProperty("rope_scaling", out var r) || r.ValueKind == JsonValueKind.Null) return null;
        if (r.ValueKind != JsonValueKind.Object) throw LayerSteerException.InFile(path, "\"rope_scaling\" must be an object or null");
        string type = Str(r, "rope_type", path) ?? Str(r, "type", path) ?? "";
        if (type == "default") return null;
        if (type != "llama3")
            throw LayerSteerException.InFile(path, $"rope_scaling type \"{type}\" is not supported (supported: llama3)");
        var scaling = new RopeScaling(type,
            Dbl(r, "factor", path) ?? throw LayerSteerException.InFile(path, "rope_scaling.factor missing"),
            Dbl(r, "low_freq_factor", path) ?? 1.0,
            Dbl(r, "high_freq_factor", path) ?? 4.0,
            Int(r, "original_max_position_embeddings", path) ?? throw LayerSteerException.InFile(path, "rope_scaling.original_max_position_embeddings missing"));
        // The llama3 rule divides by factor and by (high_freq_factor - low_freq_factor).
        if (!(scaling.Factor > 0) || !(scaling.LowFreqFactor > 0) || !(scaling.HighFreqFactor > scaling.LowFreqFactor) || scaling.OriginalMaxPositions <= 0)
            throw LayerSteerException.InFile(path, "rope_scaling needs factor > 0, 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0");
        return scaling;
    }

    static int Req(JsonElement j, string key, string path) =>
        Int(j, key, path) ?? throw LayerSteerException.InFile(path, $"missing \"{key}\"");

    static int? Int(JsonElement j, string key, string path)
    {
        if (!j.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int i))
            throw LayerSteerException.InFile(path, $"\"{key}\" must be an integer, got {v.GetRawText()}");
        return i;
    }

    static double? Dbl(JsonElement j, string key, string path)
    {
        if (!j.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Number) throw LayerSteerException.InFile(path, $"\"{key}\" must be a number, got {v.GetRawText()}");
        return v.GetDouble();
    }

    static bool? Bool(JsonElement j, string key, string path)
    {
        if (!j.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            throw LayerSteerException.InFile(path, $"\"{key}\" must be true or false, got {v.GetRawText()}");
        return v.GetBoolean();
    }

    static string? Str(JsonElement j, string key, string path)
    {
        if (!j.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw LayerSteerException.InFile(path, $"\"{key}\" must be a string, got {v.GetRawText()}");
        return v.GetString();
    }

    static int[] IntOrList(JsonElement j, string key, string path)
    {
        if (!j.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return [];
        if (v.ValueKind == JsonValueKind.Array)
            return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int i) ? i
                : throw LayerSteerException.InFile(path, $"\"{key}\" must hold integers")).ToArray();
        return [Int(j, key, path)!.Value];
    }
}
