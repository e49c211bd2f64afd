using System.Globalization;
using System.Text.Json;
using LayerSteer.Formats;
using LayerSteer.Models;

namespace LayerSteer.Intervention;

/// <summary>A fitted Δ and where it belongs: a .safetensors file with tensor "delta" [site width] and string metadata
/// (format version, model fingerprint, architecture, 0-based layer, site, task, template, γ, λ, optimiser, …).</summary>
public sealed record SteeringVector(float[] Delta, IReadOnlyDictionary<string, string> Metadata)
{
    public const string Format = "layersteer-vector";
    public const string Version = "1";

    public int Layer => int.Parse(Metadata["layer"], CultureInfo.InvariantCulture);
    public ApplyMode Apply => Metadata.TryGetValue("apply", out var a) && a == "all" ? ApplyMode.All : ApplyMode.Last;
    public string Task => Metadata.GetValueOrDefault("task", "?");

    /// <summary>Inputs of the pairs Δ was fitted on: never held-out words when it is evaluated.</summary>
    public string[] TrainInputs => JsonSerializer.Deserialize<string[]>(Metadata.GetValueOrDefault("train_inputs", "[]")) ?? [];

    /// <summary>The metadata every vector carries about its model and site, plus the caller's fit details.</summary>
    public static Dictionary<string, string> BaseMetadata(Transformer model, int layer, ApplyMode apply) => new()
    {
        ["format"] = Format,
        ["format_version"] = Version,
        ["model_fingerprint"] = model.Fingerprint,
        ["architecture"] = model.Config.ModelType,
        ["layer"] = layer.ToString(CultureInfo.InvariantCulture),
        ["layer_convention"] = "0-based (model.layers.{layer})",
        ["site"] = "o_proj input (concatenated head outputs)",
        ["site_width"] = model.Config.SiteWidth.ToString(CultureInfo.InvariantCulture),
        ["head_dim"] = model.Config.HeadDim.ToString(CultureInfo.InvariantCulture),
        ["apply"] = apply == ApplyMode.All ? "all" : "last",
    };

    /// <summary>Writes the file atomically (temp file, then rename).</summary>
    public void Save(string path) =>
        SafeTensorsWriter.Write(path, new Dictionary<string, TensorData> { ["delta"] = TensorData.F32([Delta.Length], Delta) }, Metadata);

    public static SteeringVector Load(string path)
    {
        if (!File.Exists(path)) throw LayerSteerException.InFile(path, "vector file not found");
        using var f = new SafeTensorsFile(path);
        if (!f.Metadata.TryGetValue("format", out var fmt) || fmt != Format)
            throw LayerSteerException.InFile(path, "not a LayerSteer vector (metadata \"format\" is not layersteer-vector)");
        if (f.Metadata.GetValueOrDefault("format_version") != Version)
            throw LayerSteerException.InFile(path, $"vector format version {f.Metadata.GetValueOrDefault("format_version", "?")} is not supported (this build reads {Version})");
        if (!f.Contains("delta") || f.Info("delta").Shape.Length != 1)
            throw LayerSteerException.InFile(path, "no 1-D tensor \"delta\"");
        if (!f.Metadata.TryGetValue("layer", out var l) || !int.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            throw LayerSteerException.InFile(path, "metadata \"layer\" is missing or not an integer");
        if (f.Metadata.TryGetValue("train_inputs", out var ti))
            try { JsonSerializer.Deserialize<string[]>(ti); }
            catch (JsonException) { throw LayerSteerException.InFile(path, "metadata \"train_inputs\" is not a JSON list of strings"); }
        var delta = f.ReadF32("delta");
        if (!delta.All(float.IsFinite)) throw LayerSteerException.InFile(path, "delta holds NaN or Inf");
        return new SteeringVector(delta, new Dictionary<string, string>(f.Metadata));
    }

    /// <summary>Fails unless this vector was fitted on <paramref name="model"/> (same fingerprint and site width).</summary>
    public void CheckModel(Transformer model, string path)
    {
        string fp = Metadata.GetValueOrDefault("model_fingerprint", "");
        if (fp != model.Fingerprint || Delta.Length != model.Config.SiteWidth || Layer >= model.Config.NumLayers)
            throw LayerSteerException.InFile(path,
                $"vector was fitted on another model ({Metadata.GetValueOrDefault("architecture", "?")}, fingerprint {fp}, site width {Delta.Length}, layer {Layer}); " +
                $"this model is {model.Config.ModelType}, fingerprint {model.Fingerprint}, site width {model.Config.SiteWidth}, {model.Config.NumLayers} layers");
    }
}
