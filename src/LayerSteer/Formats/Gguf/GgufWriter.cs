using System.Text;
using LayerSteer.Tensors;

namespace LayerSteer.Formats.Gguf;

/// <summary>Writes GGUF version 3 files (little-endian, default alignment 32) with F32 tensors, atomically.</summary>
public static class GgufWriter
{
    /// <summary>Writes the metadata in the given order (general.architecture first, by convention) and the tensors, each
    /// [values.Length] (1-D) F32, in the given order.</summary>
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, GgufValue>> metadata, IReadOnlyList<KeyValuePair<string, float[]>> tensors)
    {
        var header = new MemoryStream();
        var w = new BinaryWriter(header, Encoding.UTF8);
        w.Write(GgufFile.Magic);
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        w.Write((ulong)metadata.Count);
        if (metadata.Select(kv => kv.Key).Distinct().Count() != metadata.Count) throw LayerSteerException.InFile(path, "GGUF metadata keys must be unique");
        foreach (var (key, value) in metadata)
        {
            Str(w, key);
            w.Write((uint)value.Type);
            Scalar(w, value, path, key);
        }
        long offset = 0;
        foreach (var (name, values) in tensors)
        {
            if (Encoding.UTF8.GetByteCount(name) is 0 or > GgufFile.MaxNameBytes) throw LayerSteerException.InFile(path, $"GGUF tensor name \"{name}\" must have 1..{GgufFile.MaxNameBytes} bytes");
            Str(w, name);
            w.Write(1u);
            w.Write((ulong)values.Length);
            w.Write(GgufFile.GgmlType(DType.F32));
            w.Write((ulong)offset);
            offset += Padded(4L * values.Length);
        }
        w.Flush();
        AtomicFile.Write(path, fs =>
        {
            header.WriteTo(fs);
            Pad(fs, header.Length);
            var data = new BinaryWriter(fs);   // little-endian on every machine
            foreach (var (_, values) in tensors)
            {
                foreach (float v in values) data.Write(v);
                data.Flush();
                Pad(fs, 4L * values.Length);
            }
        });
    }

    static long Padded(long n) => (n + GgufFile.DefaultAlignment - 1) / GgufFile.DefaultAlignment * GgufFile.DefaultAlignment;

    static void Pad(Stream s, long written) => s.Write(new byte[Padded(written) - written]);

    static void Str(BinaryWriter w, string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)b.Length);
        w.Write(b);
    }

    static void Scalar(BinaryWriter w, GgufValue v, string path, string key)
    {
        switch (v.Value)
        {
            case string s when v.Type == GgufType.String: Str(w, s); break;
            case uint u when v.Type == GgufType.UInt32: w.Write(u); break;
            case int i when v.Type == GgufType.Int32: w.Write(i); break;
            case float f when v.Type == GgufType.Float32: w.Write(f); break;
            default: throw LayerSteerException.InFile(path, $"GGUF metadata \"{key}\": this writer writes strings, UInt32, Int32 and Float32, not {v}");
        }
    }
}
