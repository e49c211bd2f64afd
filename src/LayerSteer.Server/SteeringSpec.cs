using System.Text.Json;
using LayerSteer.Intervention;
using LayerSteer.Models;

namespace LayerSteer.Server;

/// <summary>One vector a response says it applied.</summary>
public sealed record AppliedVector(string? Name, int Layer, string Site, float Scale, string Apply, string? Task);

/// <summary>The "steering" a response echoes: the vectors summed at each row (empty: the unsteered model).</summary>
public sealed record SteeringEcho(AppliedVector[] Vectors);

/// <summary>A request's steering, resolved: the additions Σ αᵢΔᵢ one row gets, and what the response echoes.</summary>
public sealed record SteeringSpec(IReadOnlyList<Addition> Additions, SteeringEcho Echo)
{
    /// <summary>The wire names of <see cref="VectorSite"/>: the o_proj input (the paper's site, width heads × head_dim) and the
    /// residual stream after the layer (other engines' site, width hidden).</summary>
    public static readonly string[] SiteNames = ["o_proj_input", "block_output"];
    const int MaxVectors = 16;

    public static string SiteName(VectorSite s) => SiteNames[(int)s];
    static readonly SteeringSpec None = new([], new SteeringEcho([]));

    /// <summary>The body's "steering" member: {"vectors": [{"name", "scale"} | {"layer", "site", "data" (base64 float32 LE), "scale"}],
    /// "apply": "last" | "all" | "every"}. Absent: the server's default vector (if any); null or no vectors: unsteered.</summary>
    public static SteeringSpec From(JsonArgs body, VectorRegistry registry, Transformer model, string? defaultVector)
    {
        if (!body.Has("steering"))
            return defaultVector is null ? None : Resolve([new Named(defaultVector, 1f)], null, registry, model, "default vector");
        if (body.Get("steering") is not { } s) return None;
        if (s.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest("steering must be an object {\"vectors\": [...], \"apply\": \"last\"|\"all\"|\"every\"}", "steering");
        ApplyMode? apply = null;
        if (s.TryGetProperty("apply", out var a) && a.ValueKind != JsonValueKind.Null)
            apply = Mode(a, "steering.apply");
        if (!s.TryGetProperty("vectors", out var vs) || vs.ValueKind == JsonValueKind.Null) return None;
        if (vs.ValueKind != JsonValueKind.Array) throw ApiError.BadRequest("steering.vectors must be an array", "steering.vectors");
        if (vs.GetArrayLength() > MaxVectors) throw ApiError.BadRequest($"steering.vectors has more than {MaxVectors} vectors", "steering.vectors");
        var items = new List<Item>();
        int i = 0;
        foreach (var v in vs.EnumerateArray()) items.Add(Parse(v, $"steering.vectors[{i++}]", model));
        return Resolve(items, apply, registry, model, null);
    }

    static ApplyMode Mode(JsonElement v, string at) => ApplyModes.TryParse(JsonArgs.Text(v, at))
        ?? throw ApiError.BadRequest($"{at} must be \"last\" (the last prompt token), \"all\" (also every generated token) or \"every\" (every token, prompt included)", at);

    abstract record Item(float Scale);
    sealed record Named(string Name, float Scale, ApplyMode? Apply = null) : Item(Scale);
    sealed record Inline(int Layer, VectorSite Site, float[] Delta, float Scale, ApplyMode? Apply) : Item(Scale);

    static Item Parse(JsonElement v, string at, Transformer model)
    {
        if (v.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest($"{at} must be an object", at);
        float scale = v.TryGetProperty("scale", out var sc) && sc.ValueKind != JsonValueKind.Null ? JsonArgs.Number(sc, $"{at}.scale", -1e4f, 1e4f) : 1f;
        ApplyMode? apply = v.TryGetProperty("apply", out var ap) && ap.ValueKind != JsonValueKind.Null ? Mode(ap, $"{at}.apply") : null;
        if (v.TryGetProperty("name", out var n) && n.ValueKind != JsonValueKind.Null)
        {
            if (v.TryGetProperty("data", out _)) throw ApiError.BadRequest($"{at}: give either \"name\" or \"data\", not both", at);
            return new Named(JsonArgs.Text(n, $"{at}.name"), scale, apply);
        }
        if (!v.TryGetProperty("data", out var d)) throw ApiError.BadRequest($"{at} needs \"name\" (a registry vector) or \"layer\" + \"data\" (inline)", at);
        string siteName = v.TryGetProperty("site", out var st) && st.ValueKind != JsonValueKind.Null ? JsonArgs.Text(st, $"{at}.site") : SiteNames[0];
        if (Array.IndexOf(SiteNames, siteName) is not (int si and >= 0))
            throw ApiError.BadRequest($"{at}.site \"{siteName}\" is not a site: \"o_proj_input\" (the concatenated head outputs, the default) or " +
                                      "\"block_output\" (the residual stream after the layer)", $"{at}.site");
        var site = (VectorSite)si;
        int layers = model.Config.NumLayers;
        if (!v.TryGetProperty("layer", out var l) || l.ValueKind != JsonValueKind.Number || !l.TryGetInt32(out int layer))
            throw ApiError.BadRequest($"{at}.layer must be an integer (0-based)", $"{at}.layer");
        if (layer < 0 || layer >= layers) throw ApiError.BadRequest($"{at}.layer {layer} is outside 0..{layers - 1} (0-based)", $"{at}.layer");
        byte[] bytes;
        try { bytes = Convert.FromBase64String(JsonArgs.Text(d, $"{at}.data")); }
        catch (FormatException) { throw ApiError.BadRequest($"{at}.data is not valid base64", $"{at}.data"); }
        int width = VectorSites.Width(model, site);
        if (bytes.Length != width * sizeof(float))
            throw ApiError.BadRequest($"{at}.data holds {bytes.Length} bytes; this model's {siteName} width is {width} float32 values ({width * sizeof(float)} bytes)", $"{at}.data");
        var delta = new float[width];
        for (int k = 0; k < width; k++) delta[k] = BitConverter.ToSingle(bytes, k * sizeof(float));   // little-endian hosts only, as LayerSteer's files
        if (!delta.All(float.IsFinite)) throw ApiError.BadRequest($"{at}.data holds NaN or Inf", $"{at}.data");
        return new Inline(layer, site, delta, scale, apply);
    }

    // A vector's own "apply" wins, then the request's, then a file's header (inline: the paper's last token).
    static SteeringSpec Resolve(IEnumerable<Item> items, ApplyMode? apply, VectorRegistry registry, Transformer model, string? origin)
    {
        var additions = new List<Addition>();
        var echo = new List<AppliedVector>();
        foreach (var item in items)
        {
            switch (item)
            {
                case Named nv:
                    var v = registry.Find(nv.Name) ?? throw ApiError.NotFound(
                        $"{origin ?? "steering"}: no vector named \"{nv.Name}\" in the registry (GET /v1/vectors lists them)", "steering.vectors", "vector_not_found");
                    var named = v.ToAddition(nv.Scale) with { Mode = nv.Apply ?? apply ?? v.Apply };
                    additions.Add(named);
                    echo.Add(Echoed(nv.Name, named, v.Header.Task));
                    break;
                case Inline iv:
                    var inline = new Addition(iv.Layer, iv.Delta, iv.Scale, iv.Apply ?? apply ?? ApplyMode.Last, iv.Site);
                    additions.Add(inline);
                    echo.Add(Echoed(null, inline, null));
                    break;
            }
        }
        return new SteeringSpec(additions, new SteeringEcho(echo.ToArray()));
    }

    static AppliedVector Echoed(string? name, Addition a, string? task) => new(name, a.Layer, SiteName(a.Site), a.Scale, ApplyModes.Name(a.Mode), task);
}
