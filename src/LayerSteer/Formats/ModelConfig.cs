using System.Text.Json;
using System.Text.Json.Serialization;

namespace LayerSteer.Formats;

/// <summary>config.json's rope_scaling: "llama3" (Llama 3.1: low frequencies divided by Factor, a smooth band between),
/// "linear" (every frequency divided by Factor; Gemma 3's global layers) or "longrope" (Phi-3: each frequency divided by
/// its ShortFactor, or its LongFactor when the forward's sequence is longer than OriginalMaxPositions; cos and sin
/// × AttentionFactor). Fields a type does not use are 0 or null.</summary>
public sealed record RopeScaling(string Type, double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositions)
{
    // Null members are left out of the serialised config, so the fingerprints of models without them do not change.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double[]? ShortFactor { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double[]? LongFactor { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? AttentionFactor { get; init; }
}

/// <summary>The architecture hyper-parameters of a Hugging Face config.json, normalised across families.</summary>
public sealed record ModelConfig
{
    public static readonly string[] SupportedTypes = ["llama", "mistral", "qwen2", "gemma2", "gpt2", "qwen3", "gemma3_text", "phi3", "olmo2"];

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
    /// <summary>Bias on q/k/v projections (always on for qwen2, never for phi3, else attention_bias).</summary>
    public bool QkvBias { get; init; }
    /// <summary>Bias on o_proj (attention_bias, except for qwen2 and phi3, which never have one).</summary>
    public bool OBias { get; init; }
    public bool MlpBias { get; init; }
    public int MaxPositions { get; init; }
    public string HiddenAct { get; init; } = "silu";
    public int? BosTokenId { get; init; }
    public int[] EosTokenIds { get; init; } = [];
    /// <summary>Attention window in tokens on the layers that slide (<see cref="Slides"/>), null for full attention everywhere.</summary>
    public int? SlidingWindow { get; init; }
    public double? QueryPreAttnScalar { get; init; }
    public double? AttnLogitSoftcapping { get; init; }
    public double? FinalLogitSoftcapping { get; init; }

    // Members below are null for the families that do not have them, and then left out of the serialised config,
    // so the fingerprints (and vector files) of those models stay what they were before the members existed.
    /// <summary>Which layers slide (Gemma 3: layer_types or sliding_window_pattern; Qwen 3: layer_types or max_window_layers);
    /// null: the family's rule (Mistral, Phi-3: every layer; Gemma 2: even layers).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool[]? SlidingLayers { get; init; }
    /// <summary>RoPE base of the sliding layers (Gemma 3's rope_local_base_freq, without rope_scaling); null: rope_theta on every layer.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? RopeLocalTheta { get; init; }
    /// <summary>Leading dims of each head that RoPE rotates (Phi-3: partial_rotary_factor × head_dim); null: all of them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? RotaryDim { get; init; }

    /// <summary>Width of the intervention site: the concatenated head outputs (o_proj input).</summary>
    public int SiteWidth => NumHeads * HeadDim;

    /// <summary>Whether layer <paramref name="layer"/> (0-based) attends through the sliding window.</summary>
    public bool Slides(int layer) => SlidingWindow != null && (SlidingLayers?[layer] ?? (ModelType != "gemma2" || layer % 2 == 0));

    /// <summary>Which layers (0-based) are local, for people: "sliding window 3 on layers 0-4; full on 5".</summary>
    public string AttentionLayers()
    {
        var layers = Enumerable.Range(0, NumLayers).ToArray();
        int[] local = layers.Where(Slides).ToArray(), global = layers.Where(l => !Slides(l)).ToArray();
        if (local.Length == 0) return "full on every layer";
        string text = $"sliding window {SlidingWindow} on layers {Ranges(local)}";
        return global.Length == 0 ? text : $"{text}; full on {Ranges(global)}";
    }

    // 0 1 2 5 7 8 → "0-2, 5, 7-8"
    static string Ranges(int[] sorted)
    {
        var parts = new List<string>();
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(i == j ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(", ", parts);
    }

    const long MaxBytes = 16 << 20;

    public static ModelConfig Load(string path)
    {
        if (!File.Exists(path)) throw LayerSteerException.InFile(path, "config.json not found");
        // A config is a few kB; refuse anything that could exhaust memory (e.g. a weights file passed by mistake).
        long length = WeightSources.FileLength(path);
        if (length > MaxBytes) throw LayerSteerException.InFile(path, $"{length} bytes is too large for a config.json (limit {MaxBytes})");
        using var doc = JsonText.Parse(WeightSources.Try(path, () => File.ReadAllBytes(path)), path);
        return Parse(doc.RootElement, path);
    }

    public static ModelConfig Parse(JsonElement j, string path)
    {
        if (j.ValueKind != JsonValueKind.Object) throw LayerSteerException.InFile(path, "config must be a JSON object");
        string type = Str(j, "model_type", path) ?? throw LayerSteerException.InFile(path, "missing \"model_type\"");
        if (!SupportedTypes.Contains(type))
            throw LayerSteerException.InFile(path, $"unsupported model_type \"{type}\"; supported: {string.Join(", ", SupportedTypes)}"
                + (type == "gemma3" ? " (of Gemma 3, the text models: Gemma3ForCausalLM, model_type gemma3_text)" : ""));

        bool gpt2 = type == "gpt2";
        int hidden = Req(j, gpt2 ? "n_embd" : "hidden_size", path);
        int heads = Req(j, gpt2 ? "n_head" : "num_attention_heads", path);
        int layers = Req(j, gpt2 ? "n_layer" : "num_hidden_layers", path);
        int vocab = Req(j, "vocab_size", path);
        int kv = Int(j, "num_key_value_heads", path) ?? heads;
        int? explicitHeadDim = Int(j, "head_dim", path);
        if (explicitHeadDim is null && heads > 0 && hidden % heads != 0)
            throw LayerSteerException.InFile(path, $"hidden size {hidden} is not a multiple of {heads} heads and no \"head_dim\" is given");
        // HF's defaults when head_dim is absent: Qwen3Config 128, Gemma3TextConfig 256, else hidden / heads.
        int headDim = explicitHeadDim ?? type switch { "qwen3" => 128, "gemma3_text" => 256, _ => heads > 0 ? hidden / heads : 0 };
        int inter = gpt2 ? (Int(j, "n_inner", path) ?? 4 * hidden) : Req(j, "intermediate_size", path);
        if (hidden <= 0 || heads <= 0 || layers <= 0 || vocab <= 0 || kv <= 0 || headDim <= 0 || inter <= 0)
            throw LayerSteerException.InFile(path, "sizes (hidden, heads, kv heads, head_dim, layers, vocab, intermediate) must be positive");
        if (heads % kv != 0)
            throw LayerSteerException.InFile(path, $"num_attention_heads ({heads}) is not a multiple of num_key_value_heads ({kv})");
        if (!gpt2 && headDim % 2 != 0) throw LayerSteerException.InFile(path, $"head_dim {headDim} must be even for RoPE");
        if (gpt2 && hidden % heads != 0) throw LayerSteerException.InFile(path, $"n_embd {hidden} is not a multiple of n_head {heads}");

        bool gemma = type is "gemma2" or "gemma3_text";
        bool attnBias = Bool(j, "attention_bias", path) ?? false;   // Phi-3's projections never have biases
        int maxPositions = Int(j, gpt2 ? "n_positions" : "max_position_embeddings", path) ?? (type == "phi3" ? 4096 : 2048);
        int? rotaryDim = type == "phi3" ? RotaryDimOf(j, headDim, path) : null;
        int? window = type switch
        {
            "mistral" or "gemma2" or "phi3" => Int(j, "sliding_window", path),
            "gemma3_text" => Int(j, "sliding_window", path) ?? 4096,
            "qwen3" => Bool(j, "use_sliding_window", path) == true ? Int(j, "sliding_window", path) : null,
            _ => null,
        };
        if (window is <= 0) throw LayerSteerException.InFile(path, $"\"sliding_window\" must be positive, got {window}");
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
            RopeTheta = Dbl(j, "rope_theta", path) ?? (type == "gemma3_text" ? 1e6 : 10000.0),
            RopeScaling = ParseRopeScaling(j, type, (rotaryDim ?? headDim) / 2, maxPositions, path),
            // HF defaults: Llama, Mistral, Qwen 2/3, Phi-3, OLMo 2 untied; Gemma 2/3 and GPT-2 tied.
            TieWordEmbeddings = Bool(j, "tie_word_embeddings", path) ?? gemma || gpt2,
            QkvBias = type == "qwen2" || (attnBias && type != "phi3") || gpt2,
            OBias = (type is not ("qwen2" or "phi3") && attnBias) || gpt2,
            MlpBias = (Bool(j, "mlp_bias", path) ?? false) || gpt2,
            MaxPositions = maxPositions,
            HiddenAct = Str(j, gpt2 ? "activation_function" : gemma ? "hidden_activation" : "hidden_act", path)
                        ?? (gemma ? "gelu_pytorch_tanh" : gpt2 ? "gelu_new" : "silu"),
            BosTokenId = Int(j, "bos_token_id", path),
            EosTokenIds = IntOrList(j, "eos_token_id", path),
            SlidingWindow = window,
            SlidingLayers = type switch
            {
                // Gemma3TextConfig: every sliding_window_pattern-th layer (1-based) is global.
                "gemma3_text" => LayerTypes(j, layers, path) ?? EveryNthGlobal(Int(j, "sliding_window_pattern", path) ?? 6, layers, path),
                // Qwen3Config: layers from max_window_layers on slide, when sliding is on at all.
                "qwen3" when window != null => LayerTypes(j, layers, path)
                    ?? Enumerable.Range(0, layers).Select(i => i >= (Int(j, "max_window_layers", path) ?? 28)).ToArray(),
                _ => null,
            },
            RopeLocalTheta = type == "gemma3_text" ? Dbl(j, "rope_local_base_freq", path) ?? 10000.0 : null,
            RotaryDim = rotaryDim,
            QueryPreAttnScalar = Dbl(j, "query_pre_attn_scalar", path),
            AttnLogitSoftcapping = Dbl(j, "attn_logit_softcapping", path),
            FinalLogitSoftcapping = Dbl(j, "final_logit_softcapping", path),
        };
    }

    static RopeScaling? ParseRopeScaling(JsonElement j, string modelType, int half, int maxPositions, string path)
    {
        if (!j.TryGetProperty("rope_scaling", out var r) || r.ValueKind == JsonValueKind.Null) return null;
        if (r.ValueKind != JsonValueKind.Object) throw LayerSteerException.InFile(path, "\"rope_scaling\" must be an object or null");
        string type = Str(r, "rope_type", path) ?? Str(r, "type", path) ?? "";
        return type switch
        {
            "default" => null,
            "llama3" => Llama3Scaling(r, path),
            "linear" => Dbl(r, "factor", path) is double f && f > 0 ? new RopeScaling(type, f, 0, 0, 0)
                : throw LayerSteerException.InFile(path, "rope_scaling of type linear needs \"factor\" > 0"),
            "longrope" => LongRopeScaling(j, r, modelType, half, maxPositions, path),
            _ => throw LayerSteerException.InFile(path, $"rope_scaling type \"{type}\" is not supported (supported: llama3, linear, longrope)"),
        };
    }

    static RopeScaling Llama3Scaling(JsonElement r, string path)
    {
        var scaling = new RopeScaling("llama3",
            Dbl(r, "factor", path) ?? throw LayerSteerException.InFile(path, "rope_scaling.factor missing"),
            Dbl(r, "low_freq_factor", path) ?? 1.0,
            Dbl(r, "high_freq_factor", path) ?? 4.0,
            Int(r, "original_max_position_embeddings", path) ?? throw LayerSteerException.InFile(path, "rope_scaling.original_max_position_embeddings missing"));
        // The llama3 rule divides by factor and by (high_freq_factor - low_freq_factor).
        if (!(scaling.Factor > 0) || !(scaling.LowFreqFactor > 0) || !(scaling.HighFreqFactor > scaling.LowFreqFactor) || scaling.OriginalMaxPositions <= 0)
            throw LayerSteerException.InFile(path, "rope_scaling needs factor > 0, 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0");
        return scaling;
    }

    // HF's _compute_longrope_parameters: Phi3Config always has original_max_position_embeddings (default 4096), and then the
    // factor is max_position_embeddings / original_max_position_embeddings; the default attention factor grows with it.
    static RopeScaling LongRopeScaling(JsonElement j, JsonElement r, string modelType, int half, int maxPositions, string path)
    {
        int? topOriginal = Int(j, "original_max_position_embeddings", path) ?? (modelType == "phi3" ? 4096 : null);
        int original = topOriginal ?? maxPositions;
        double factor = topOriginal != null ? (double)maxPositions / original : Dbl(r, "factor", path) ?? 1.0;
        if (original <= 0 || !(factor > 0)) throw LayerSteerException.InFile(path, "longrope needs original_max_position_embeddings > 0 and factor > 0");
        double attention = Dbl(r, "attention_factor", path) ?? (factor <= 1 ? 1.0 : Math.Sqrt(1 + Math.Log(factor) / Math.Log(original)));
        return new RopeScaling("longrope", factor, 0, 0, original)
        {
            ShortFactor = Factors(r, "short_factor", half, path),
            LongFactor = Factors(r, "long_factor", half, path),
            AttentionFactor = attention,
        };
    }

    static double[] Factors(JsonElement r, string key, int half, string path)
    {
        if (!r.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.Array)
            throw LayerSteerException.InFile(path, $"rope_scaling.{key} must be a list of {half} numbers (one per rotated pair)");
        var f = v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.GetDouble() > 0 ? e.GetDouble()
            : throw LayerSteerException.InFile(path, $"rope_scaling.{key} must hold positive numbers")).ToArray();
        if (f.Length != half) throw LayerSteerException.InFile(path, $"rope_scaling.{key} has {f.Length} numbers, expected {half} (rotary dims / 2)");
        return f;
    }

    static int RotaryDimOf(JsonElement j, int headDim, string path)
    {
        double f = Dbl(j, "partial_rotary_factor", path) ?? 1.0;
        int dim = (int)(headDim * f);   // HF: int(head_dim * partial_rotary_factor)
        if (!(f > 0 && f <= 1) || dim < 2 || dim % 2 != 0)
            throw LayerSteerException.InFile(path, $"partial_rotary_factor {f} gives {dim} rotary dims of head_dim {headDim}; need an even number in 2..head_dim");
        return dim;
    }

    static bool[]? LayerTypes(JsonElement j, int layers, string path)
    {
        if (!j.TryGetProperty("layer_types", out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != layers)
            throw LayerSteerException.InFile(path, $"\"layer_types\" must list one type per layer ({layers})");
        return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() switch
        {
            "sliding_attention" => true,
            "full_attention" => false,
            var t => throw LayerSteerException.InFile(path, $"layer_types holds \"{t}\"; expected sliding_attention or full_attention"),
        } : throw LayerSteerException.InFile(path, "\"layer_types\" must hold strings")).ToArray();
    }

    static bool[] EveryNthGlobal(int pattern, int layers, string path) => pattern > 0
        ? Enumerable.Range(0, layers).Select(i => (i + 1) % pattern != 0).ToArray()
        : throw LayerSteerException.InFile(path, $"\"sliding_window_pattern\" must be positive, got {pattern}");

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
