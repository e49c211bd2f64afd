using System.Globalization;
using System.Text.Json;
using LayerSteer.Models;

namespace LayerSteer.Intervention;

/// <summary>Where a vector is added. <c>OProjInput</c>: the concatenated head outputs of layer ℓ (the paper's site, width
/// heads × head_dim); <c>BlockOutput</c>: the residual stream after decoder layer ℓ (function vectors, and where other engines add vectors; width hidden).</summary>
public enum VectorSite { OProjInput, BlockOutput }

/// <summary>Everything a LayerSteer vector file says about its vector, typed: format and version, the model it belongs to,
/// where it is added, and how it was made. One serialiser (<see cref="ToMetadata"/>/<see cref="Parse"/>) for Δ files and
/// function-vector files; optional fields are null when a file does not carry them.</summary>
public sealed record VectorHeader
{
    /// <summary>The version this build writes. Version 2 added block-output Δ files and the "every" apply mode, which a
    /// version-1 reader would apply at the wrong site; it reads version-1 files unchanged.</summary>
    public const string Version = "2";
    static readonly string[] Readable = ["1", Version];

    public required string Format { get; init; }
    public required string Fingerprint { get; init; }
    public required string Architecture { get; init; }
    /// <summary>0-based (model.layers.{Layer}).</summary>
    public required int Layer { get; init; }
    public required VectorSite Site { get; init; }
    public required ApplyMode Apply { get; init; }
    public required int Width { get; init; }
    /// <summary>Head width d of an o_proj-input vector (Δ_h = entries h·d … (h+1)·d − 1).</summary>
    public int? HeadDim { get; init; }
    public string? Task { get; init; }
    public string? Template { get; init; }
    public int? Seed { get; init; }
    /// <summary>Inputs of the pairs the vector was made from: never held-out words when it is evaluated.</summary>
    public string[] TrainInputs { get; init; } = [];
    public int[]? TrainIds { get; init; }
    // The Δ fit.
    public string? Loss { get; init; }
    public float? Gamma { get; init; }
    public float? Lambda { get; init; }
    public string? Optimizer { get; init; }
    public int? Steps { get; init; }
    public float? Lr { get; init; }
    public double? FinalLoss { get; init; }
    public int[]? NonzeroHeads { get; init; }
    public int? NonzeroEntries { get; init; }
    /// <summary>Where an imported vector came from (e.g. a control-vector GGUF and its method).</summary>
    public string? Source { get; init; }
    // Function vectors.
    public HeadEffect[]? Heads { get; init; }
    public int? Prompts { get; init; }

    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The fields every vector of <paramref name="model"/> at (layer, site) carries; the caller adds how it was made.</summary>
    public static VectorHeader For(string format, Transformer model, int layer, VectorSite site, ApplyMode apply) => new()
    {
        Format = format, Fingerprint = model.Fingerprint, Architecture = model.Config.ModelType, Layer = layer, Site = site, Apply = apply,
        Width = VectorSites.Width(model, site),
        HeadDim = site == VectorSite.OProjInput ? model.Config.HeadDim : null,
    };

    /// <summary>The safetensors metadata (string → string; numbers invariant, lists as JSON).</summary>
    public Dictionary<string, string> ToMetadata()
    {
        var md = new Dictionary<string, string>
        {
            ["format"] = Format, ["format_version"] = Version, ["model_fingerprint"] = Fingerprint, ["architecture"] = Architecture,
            ["layer"] = Layer.ToString(Inv), ["layer_convention"] = LayerConvention(Site), ["site"] = SiteName(Site),
            [WidthKey(Site)] = Width.ToString(Inv), ["apply"] = ApplyModes.Name(Apply),
        };
        void Put(string k, string? v) { if (v != null) md[k] = v; }
        Put("head_dim", HeadDim?.ToString(Inv));
        Put("task", Task); Put("template", Template); Put("seed", Seed?.ToString(Inv));
        md["train_inputs"] = JsonSerializer.Serialize(TrainInputs);
        Put("train_ids", TrainIds is null ? null : JsonSerializer.Serialize(TrainIds));
        Put("loss", Loss); Put("gamma", Gamma?.ToString("R", Inv)); Put("lambda", Lambda?.ToString("R", Inv));
        Put("optimizer", Optimizer); Put("steps", Steps?.ToString(Inv)); Put("lr", Lr?.ToString("R", Inv));
        Put("final_loss", FinalLoss?.ToString("R", Inv));
        Put("nonzero_heads", NonzeroHeads is null ? null : JsonSerializer.Serialize(NonzeroHeads));
        Put("nonzero_entries", NonzeroEntries?.ToString(Inv));
        Put("heads", Heads is null ? null : JsonSerializer.Serialize(Heads, JsonSerializerOptions.Web));
        Put("prompts", Prompts?.ToString(Inv));
        Put("source", Source);
        return md;
    }

    /// <summary>Reads the metadata of a <paramref name="format"/> file, failing with the file's name on anything malformed.</summary>
    public static VectorHeader Parse(string path, IReadOnlyDictionary<string, string> md, string format, string what)
    {
        LayerSteerException Bad(string key, string expected) => LayerSteerException.InFile(path, $"metadata \"{key}\" is missing or not {expected}");
        if (md.GetValueOrDefault("format") != format)
            throw LayerSteerException.InFile(path, $"not a LayerSteer {what} (metadata \"format\" is not {format})");
        if (!Readable.Contains(md.GetValueOrDefault("format_version")))
            throw LayerSteerException.InFile(path, $"{what} format version {md.GetValueOrDefault("format_version", "?")} is not supported (this build reads {string.Join(" and ", Readable)})");
        int? Int(string k) => md.TryGetValue(k, out var s) ? int.TryParse(s, NumberStyles.Integer, Inv, out int v) ? v : throw Bad(k, "an integer") : null;
        float? Float(string k) => md.TryGetValue(k, out var s) ? float.TryParse(s, NumberStyles.Float, Inv, out float v) ? v : throw Bad(k, "a number") : null;
        double? Double(string k) => md.TryGetValue(k, out var s) ? double.TryParse(s, NumberStyles.Float, Inv, out double v) ? v : throw Bad(k, "a number") : null;
        T? Json<T>(string k) where T : class
        {
            if (!md.TryGetValue(k, out var s)) return null;
            try { return JsonSerializer.Deserialize<T>(s, JsonSerializerOptions.Web) ?? throw new JsonException(); }
            catch (JsonException) { throw Bad(k, $"valid JSON ({typeof(T).Name})"); }
        }
        var site = ParseSite(md.GetValueOrDefault("site"), format) ?? throw Bad("site", "a known site");
        int layer = Int("layer") is int l && l >= 0 ? l : throw Bad("layer", "a non-negative integer");
        var apply = md.TryGetValue("apply", out var a) ? ApplyModes.TryParse(a) ?? throw Bad("apply", "\"last\", \"all\" or \"every\"")
            : site == VectorSite.OProjInput ? ApplyMode.Last : ApplyMode.All;   // each kind's default (the paper's; Todd et al.'s)
        return new VectorHeader
        {
            Format = format, Fingerprint = md.GetValueOrDefault("model_fingerprint", ""), Architecture = md.GetValueOrDefault("architecture", "?"),
            Layer = layer, Site = site, Apply = apply, Width = Int(WidthKey(site)) ?? -1, HeadDim = Int("head_dim"),
            Task = md.GetValueOrDefault("task"), Template = md.GetValueOrDefault("template"), Seed = Int("seed"),
            TrainInputs = Json<string[]>("train_inputs") ?? [], TrainIds = Json<int[]>("train_ids"),
            Loss = md.GetValueOrDefault("loss"), Gamma = Float("gamma"), Lambda = Float("lambda"), Optimizer = md.GetValueOrDefault("optimizer"),
            Steps = Int("steps"), Lr = Float("lr"), FinalLoss = Double("final_loss"), NonzeroHeads = Json<int[]>("nonzero_heads"),
            NonzeroEntries = Int("nonzero_entries"), Heads = Json<HeadEffect[]>("heads"), Prompts = Int("prompts"), Source = md.GetValueOrDefault("source"),
        };
    }

    /// <summary>Fails unless the vector was made on <paramref name="model"/>: same fingerprint, width, layer in range.</summary>
    public void CheckModel(Transformer model, string path, string what, int length)
    {
        int expected = VectorSites.Width(model, Site);
        string size = Site == VectorSite.OProjInput ? "site width" : "hidden";
        if (Fingerprint != model.Fingerprint || length != expected || Layer >= model.Config.NumLayers)
            throw LayerSteerException.InFile(path,
                $"{what} was made on another model ({Architecture}, fingerprint {Fingerprint}, {size} {length}, layer {Layer}); " +
                $"this model is {model.Config.ModelType}, fingerprint {model.Fingerprint}, {size} {expected}, {model.Config.NumLayers} layers");
    }

    static string SiteName(VectorSite s) => s == VectorSite.OProjInput ? "o_proj input (concatenated head outputs)" : "block output (residual stream after the layer)";
    static string LayerConvention(VectorSite s) => s == VectorSite.OProjInput ? "0-based (model.layers.{layer})" : "0-based (added to the output of model.layers.{layer})";
    static string WidthKey(VectorSite s) => s == VectorSite.OProjInput ? "site_width" : "hidden_size";

    // Files written before the site was recorded carry no "site": a Δ is at the o_proj input, a function vector after its layer.
    static VectorSite? ParseSite(string? s, string format) => s switch
    {
        "o_proj input (concatenated head outputs)" => VectorSite.OProjInput,
        "block output (residual stream after the layer)" => VectorSite.BlockOutput,
        null => format == FunctionVectorFile.Format ? VectorSite.BlockOutput : VectorSite.OProjInput,
        _ => null,
    };
}
