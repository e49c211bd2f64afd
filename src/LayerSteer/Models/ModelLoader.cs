using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LayerSteer.Formats;
using LayerSteer.Models.Families;
using LayerSteer.Tensors;

namespace LayerSteer.Models;

/// <summary>What a checkpoint's headers say about a model, read without touching a weight: its size, how its weights will be
/// held, and the fingerprint vector files are bound to.</summary>
public sealed record ModelHeaders(ModelConfig Config, long ParameterCount, string StorageDType, string Fingerprint, bool Convert16Bit);

/// <summary>Loads a model from a Hugging Face folder (config.json + safetensors) into a <see cref="Transformer"/>.</summary>
public static class ModelLoader
{
    /// <summary>16-bit checkpoints up to this size in fp32 are converted to fp32 in memory: they sit in the caches, where
    /// widening costs more than the bytes it saves; larger ones are computed from their mapped 16-bit weights.</summary>
    public const long SmallModelF32Bytes = 64L << 20;

    /// <summary>Loads the folder; 16-bit weights stay 16-bit when asked (true), become fp32 (false), or (null) stay 16-bit unless
    /// the model is small (<see cref="SmallModelF32Bytes"/>). The model owns the mapped file: dispose it to unmap.</summary>
    public static Transformer Load(string dir, bool? keep16Bit = null)
    {
        var (config, weights) = Open(dir);
        try { return Build(config, weights, dir, keep16Bit); }
        catch { weights.Dispose(); throw; }
    }

    /// <summary>The folder's <see cref="ModelHeaders"/>: config and safetensors headers only, no weight is read.</summary>
    public static ModelHeaders Inspect(string dir, bool? keep16Bit = null)
    {
        var (config, weights) = Open(dir);
        using (weights) return Inspect(config, weights, keep16Bit);
    }

    static (ModelConfig, IWeightSource) Open(string dir)
    {
        if (!Directory.Exists(dir)) throw new LayerSteerException($"{dir}: model folder not found");
        return (ModelConfig.Load(Path.Combine(dir, "config.json")), WeightSources.Open(dir));
    }

    /// <summary>Builds the model of <paramref name="config"/>'s family from any weight source, which the model then owns.</summary>
    public static Transformer Build(ModelConfig config, IWeightSource weights, string source, bool? keep16Bit = null)
    {
        var h = Inspect(config, weights, keep16Bit);
        var reader = new WeightReader(weights, h.Convert16Bit);
        var hf = new HfLayout(config, reader, config.ModelType is "gemma2" or "gemma3_text" ? NormKind.RmsPlusOne : NormKind.Rms);
        var model = config.ModelType switch
        {
            "gpt2" => Gpt2Family.Build(config, reader, source, h.Fingerprint),
            "qwen3" => Qwen3Family.Build(hf, source, h.Fingerprint),
            "gemma3_text" => Gemma3Family.Build(hf, source, h.Fingerprint),
            "phi3" => Phi3Family.Build(hf, source, h.Fingerprint),
            "olmo2" => Olmo2Family.Build(hf, source, h.Fingerprint),
            _ => HfDecoderFamily.Build(hf, source, h.Fingerprint),
        };
        model.ParameterCount = h.ParameterCount;
        model.StorageDType = h.StorageDType;
        model.Weights = weights;
        return model;
    }

    /// <summary>The <see cref="ModelHeaders"/> of a weight source, deciding the storage as <see cref="Build"/> does.</summary>
    public static ModelHeaders Inspect(ModelConfig config, IWeightSource weights, bool? keep16Bit = null)
    {
        var infos = weights.Names.Select(weights.Info).ToList();
        long fp32Bytes = infos.Sum(t => t.Count * 4);
        bool convert = !(keep16Bit ?? fp32Bytes > SmallModelF32Bytes);
        string dtypes = string.Join("+", infos.Select(t => DTypes.Name(t.DType)).Distinct().Order());
        bool mapped = infos.Count > 0 && weights.Map(infos[0].Name) != null;
        bool any16 = infos.Any(t => t.DType is DType.F16 or DType.BF16);
        string how = !mapped ? "F32 in memory"
            : convert && any16 ? (keep16Bit == null ? "16-bit converted to F32 in memory: small model" : "16-bit converted to F32 in memory")
            : any16 ? "16-bit, computed in place from the mapped file" : "computed in place from the mapped file";
        if (config.ModelType == "gpt2") how += "; GPT-2's Conv1D weights transposed into F32";
        return new ModelHeaders(config, infos.Sum(t => t.Count), $"{dtypes} ({how})", Fingerprint(config, weights), convert);
    }

    /// <summary>sha256 of the normalised config and every tensor's name and shape: the identity a vector file is bound to.</summary>
    public static string Fingerprint(ModelConfig config, IWeightSource weights)
    {
        var sb = new StringBuilder(JsonSerializer.Serialize(config));
        foreach (var n in weights.Names.OrderBy(n => n, StringComparer.Ordinal))
            sb.Append('\n').Append(n).Append(weights.Info(n).ShapeText);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }
}
