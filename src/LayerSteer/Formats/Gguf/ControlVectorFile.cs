using System.Globalization;
using LayerSteer.Tensors;

namespace LayerSteer.Formats.Gguf;

/// <summary>A control vector as llama.cpp (--control-vector, cvector-generator), repeng and EasySteer store it: a GGUF with
/// general.architecture = "controlvector", controlvector.model_hint / .method / .layer_count, and one 1-D F32 tensor
/// direction.{k} [hidden] per steered layer, added to the residual stream after decoder layer k (0-based) at every position
/// in llama.cpp. The metadata is descriptive: llama.cpp reads only the tensors.</summary>
public sealed record ControlVectorFile(string? ModelHint, string? Method, IReadOnlyDictionary<int, float[]> Directions)
{
    public const string Architecture = "controlvector";
    const string Prefix = "direction.";

    /// <summary>The hidden size every direction has.</summary>
    public int Hidden => Directions.Values.First().Length;

    /// <summary>Writes a GGUF v3 the way repeng and EasySteer do (layer_count as UInt32 = the number of directions), atomically.</summary>
    public void Write(string path)
    {
        if (Directions.Count == 0) throw LayerSteerException.InFile(path, "a control vector needs at least one direction");
        if (Directions.Values.Any(d => d.Length != Hidden)) throw LayerSteerException.InFile(path, "every direction of a control vector has the same length");
        var md = new List<KeyValuePair<string, GgufValue>> { new("general.architecture", GgufValue.Of(Architecture)) };
        if (ModelHint != null) md.Add(new($"{Architecture}.model_hint", GgufValue.Of(ModelHint)));
        if (Method != null) md.Add(new($"{Architecture}.method", GgufValue.Of(Method)));
        md.Add(new($"{Architecture}.layer_count", GgufValue.Of((uint)Directions.Count)));
        GgufWriter.Write(path, md, Directions.OrderBy(d => d.Key).Select(d => new KeyValuePair<string, float[]>(Prefix + d.Key.ToString(CultureInfo.InvariantCulture), d.Value)).ToList());
    }

    /// <summary>Reads any control-vector GGUF strictly: only direction.{k} tensors (k a decimal layer index), each 1-D F32 of one
    /// common length with finite values; general.architecture, when present, is "controlvector"; layer_count, when present, an
    /// integer (llama.cpp writes Int32, repeng and EasySteer UInt32) — files may skip layers.</summary>
    public static ControlVectorFile Read(string path)
    {
        var f = GgufFile.Read(path);
        if (f.Get("general.architecture") is { } arch && arch.AsString != Architecture)
            throw LayerSteerException.InFile(path, $"general.architecture is {arch}: this GGUF is not a control vector (a model file?)");
        string? Text(string key) => f.Get($"{Architecture}.{key}") is { } v
            ? v.AsString ?? throw LayerSteerException.InFile(path, $"{Architecture}.{key} must be a string, got {v}") : null;
        if (f.Get($"{Architecture}.layer_count") is { } lc && lc.AsInteger is not >= 0)
            throw LayerSteerException.InFile(path, $"{Architecture}.layer_count must be a non-negative integer, got {lc}");
        var directions = new Dictionary<int, float[]>();
        foreach (var t in f.Tensors)
        {
            string k = t.Name.StartsWith(Prefix, StringComparison.Ordinal) ? t.Name[Prefix.Length..] : "";
            if (k.Length is 0 or > 9 || !k.All(char.IsAsciiDigit))
                throw LayerSteerException.InFile(path, $"tensor \"{t.Name}\" is not a control-vector direction (direction.{{layer}})");
            if (t.Type != DType.F32 || t.Shape.Length != 1)
                throw LayerSteerException.InFile(path, $"tensor \"{t.Name}\" is {string.Join(" × ", t.Shape)} {DTypes.Name(t.Type)}; a direction is 1-D F32");
            var v = f.ReadF32(t);
            if (directions.Count > 0 && v.Length != directions.Values.First().Length)
                throw LayerSteerException.InFile(path, $"tensor \"{t.Name}\" has {v.Length} entries, the other directions {directions.Values.First().Length}");
            if (!v.All(float.IsFinite)) throw LayerSteerException.InFile(path, $"tensor \"{t.Name}\" holds NaN or Inf");
            if (!directions.TryAdd(int.Parse(k, CultureInfo.InvariantCulture), v))
                throw LayerSteerException.InFile(path, $"tensor \"{t.Name}\" names a layer that another direction already has");
        }
        if (directions.Count == 0) throw LayerSteerException.InFile(path, "the control vector has no direction.{layer} tensors");
        return new ControlVectorFile(Text("model_hint"), Text("method"), directions);
    }
}
