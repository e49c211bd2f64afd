using System.Text;
using System.Text.Json;
using LayerSteer.Tensors;

namespace LayerSteer.Formats;

/// <summary>One tensor of a safetensors header: its info and byte span [Begin, End) in the data section.</summary>
public sealed record SafeTensorsEntry(TensorInfo Info, long Begin, long End);

/// <summary>The validated JSON header of a safetensors file: tensor entries (in file order) and string metadata.</summary>
public sealed class SafeTensorsHeader
{
    /// <summary>Largest header we accept (the reference implementation's limit).</summary>
    public const long MaxBytes = 100_000_000;

    public required IReadOnlyList<SafeTensorsEntry> Entries { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>Parses <paramref name="json"/> and checks every entry against a data section of <paramref name="dataLength"/> bytes.</summary>
    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string path)
    {
        using (var doc = JsonText.Parse(json.ToArray(), path, "JSON in the safetensors header"))
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw LayerSteerException.InFile(path, "safetensors header must be a JSON object");
            var entries = new List<SafeTensorsEntry>();
            var metadata = new Dictionary<string, string>();
            var seen = new HashSet<string>();
            foreach (var p in root.EnumerateObject())
            {
                if (!seen.Add(p.Name)) throw LayerSteerException.InFile(path, $"safetensors header lists \"{p.Name}\" twice");
                if (p.Name == "__metadata__") ParseMetadata(p.Value, metadata, path);
                else entries.Add(ParseEntry(p.Name, p.Value, dataLength, path));
            }
            CheckNoOverlap(entries, path);
            return new SafeTensorsHeader { Entries = entries, Metadata = metadata };
        }
    }

    static void ParseMetadata(JsonElement m, Dictionary<string, string> into, string path)
    {
        if (m.ValueKind != JsonValueKind.Object) throw LayerSteerException.InFile(path, "\"__metadata__\" must be an object of strings");
        foreach (var kv in m.EnumerateObject())
        {
            if (kv.Value.ValueKind != JsonValueKind.String)
                throw LayerSteerException.InFile(path, $"\"__metadata__\".\"{kv.Name}\" must be a string, got {kv.Value.GetRawText()}");
            into[kv.Name] = kv.Value.GetString()!;
        }
    }

    static SafeTensorsEntry ParseEntry(string name, JsonElement e, long dataLength, string path)
    {
        LayerSteerException Bad(string problem) => LayerSteerException.InFile(path, $"tensor \"{name}\": {problem}");
        if (e.ValueKind != JsonValueKind.Object) throw Bad("entry must be an object with dtype, shape and data_offsets");

        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) throw Bad("missing string \"dtype\"");
        if (!DTypes.TryParse(dt.GetString()!, out var dtype))
            throw Bad($"unknown dtype \"{dt.GetString()}\" (known: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)");

        long[] shape = Longs(e, "shape", -1, Bad);
        long[] offsets = Longs(e, "data_offsets", 2, Bad);
        long begin = offsets[0], end = offsets[1];
        if (begin > end) throw Bad($"data_offsets [{begin}, {end}] begin after end");
        if (end > dataLength) throw Bad($"data_offsets end {end} is past the data section ({dataLength} bytes)");

        // Int128 cannot overflow while the running product stays below 2^63.
        Int128 span = shape.Contains(0) ? 0 : DTypes.Size(dtype);
        foreach (long d in shape)
            if ((span *= d) > long.MaxValue) throw Bad($"shape [{string.Join(", ", shape)}] is impossibly large");
        if (span != end - begin) throw Bad($"shape [{string.Join(", ", shape)}] of {DTypes.Name(dtype)} needs {span} bytes but data_offsets span {end - begin}");
        return new SafeTensorsEntry(new TensorInfo(name, dtype, shape), begin, end);
    }

    static long[] Longs(JsonElement e, string key, int count, Func<string, LayerSteerException> bad)
    {
        if (!e.TryGetProperty(key, out var a) || a.ValueKind != JsonValueKind.Array) throw bad($"missing array \"{key}\"");
        if (count >= 0 && a.GetArrayLength() != count) throw bad($"\"{key}\" must have {count} elements, got {a.GetRawText()}");
        return a.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long x) && x >= 0 ? x
            : throw bad($"\"{key}\" must hold non-negative integers, got {a.GetRawText()}")).ToArray();
    }

    static void CheckNoOverlap(List<SafeTensorsEntry> entries, string path)
    {
        var sorted = entries.Where(x => x.End > x.Begin).OrderBy(x => x.Begin).ToList();
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i].Begin < sorted[i - 1].End)
                throw LayerSteerException.InFile(path, $"tensors \"{sorted[i - 1].Info.Name}\" and \"{sorted[i].Info.Name}\" overlap in the data section");
    }
}
