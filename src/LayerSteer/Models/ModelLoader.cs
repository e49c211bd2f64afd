using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LayerSteer.Formats;
using LayerSteer.Models.Families;
using LayerSteer.Tensors;

namespace LayerSteer.Models;

/// <summary>Loads a model from a Hugging Face folder (config.json + safetensors) into a <see cref="Transformer"/>.</summary>
public static class ModelLoader
{
    /// <summary>Loads the folder; 16-bit weights stay 16-bit when asked, or (null) when fp32 copies would not fit in memory.</summary>
    public static Transformer Load(string dir, bool? keep16Bit = null)
    {
        if (!Directory.Exists(dir)) throw new LayerSteerException($"{dir}: model folder not found");
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        var weights = WeightSources.Open(dir);
        return Build(config, weights, dir, keep16Bit);
    }

    /// <summary>Builds the model of <paramref name="config"/>'s family from any weight source.</summary>
    public static Transformer Build(ModelConfig config, IWeightSource weights, string source, bool? keep16Bit = null)
    {
        bool keep = keep16Bit ?? Fp32Bytes(weights) > 0.5 * GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var reader = new WeightReader(weights, keep);
        string fp = Fingerprint(config, weights);
        var hf = new HfLayout(config, reader, config.ModelType is "gemma2" or "gemma3_text" ? NormKind.RmsPlusOne : NormKind.Rms);
        var model = config.ModelType switch
        {
            "gpt2" => Gpt2Family.Build(config, reader, source, fp),
            "qwen3" => Qwen3Family.Build(hf, source, fp),
            "gemma3_text" => Gemma3Family.Build(hf, source, fp),
            "phi3" => Phi3Family.Build(hf, source, fp),
            "olmo2" => Olmo2Family.Build(hf, source, fp),
            _ => HfDecoderFamily.Build(hf, source, fp),
        };
        string dtypes = string.Join("+", weights.Names.Select(n => DTypes.Name(weights.Info(n).DType)).Distinct().Order());
        model.ParameterCount = weights.Names.Sum(n => weights.Info(n).Count);
        model.StorageDType = keep ? $"{dtypes} (16-bit kept, converted per tile)" : $"{dtypes} (converted to F32)";
        return model;
    }

    static long Fp32Bytes(IWeightSource w) => w.Names.Sum(n => w.Info(n).Count * 4);

    /// <summary>sha256 of the normalised config and every tensor's name and shape: the identity a vector file is bound to.</summary>
    public static string Fingerprint(ModelConfig config, IWeightSource weights)
    {
        var sb = new StringBuilder(JsonSerializer.Serialize(config));
        foreach (var n in weights.Names.OrderBy(n => n, StringComparer.Ordinal))
            sb.Append('\n').Append(n).Append(weights.Info(n).ShapeText);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }
}
