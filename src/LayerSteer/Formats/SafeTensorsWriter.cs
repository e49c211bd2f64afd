using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using LayerSteer.Tensors;

namespace LayerSteer.Formats;

/// <summary>A tensor to write: dtype, shape and its little-endian bytes.</summary>
public sealed record TensorData(DType DType, long[] Shape, byte[] Bytes)
{
    public static TensorData F32(long[] shape, float[] values) => new(DType.F32, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
}

/// <summary>Writes spec-compliant .safetensors files (header padded with spaces to 8-byte alignment), atomically.</summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> (sorted by name) and optional string metadata to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, TensorData> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        byte[] header = Header(path, names, tensors, metadata);
        AtomicFile.Write(path, fs =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
            fs.Write(len);
            fs.Write(header);
            foreach (string n in names) fs.Write(tensors[n].Bytes);
        });
    }

    static byte[] Header(string path, List<string> names, IReadOnlyDictionary<string, TensorData> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (string n in names)
            {
                var t = tensors[n];
                if (n.Length == 0 || n == "__metadata__") throw LayerSteerException.InFile(path, $"invalid tensor name \"{n}\"");
                long expected = t.Shape.Aggregate((long)DTypes.Size(t.DType), (a, d) => d >= 0 ? checked(a * d) : throw LayerSteerException.InFile(path, $"tensor \"{n}\" has a negative dimension"));
                if (expected != t.Bytes.Length)
                    throw LayerSteerException.InFile(path, $"tensor \"{n}\": shape [{string.Join(", ", t.Shape)}] of {DTypes.Name(t.DType)} needs {expected} bytes, got {t.Bytes.Length}");
                w.WriteStartObject(n);
                w.WriteString("dtype", DTypes.Name(t.DType));
                w.WriteStartArray("shape");
                foreach (long d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset += t.Bytes.Length);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        // Pad with spaces (valid JSON whitespace) so the data section starts 8-byte aligned.
        int pad = (int)(-ms.Length & 7);
        ms.Write(Encoding.ASCII.GetBytes(new string(' ', pad)));
        return ms.ToArray();
    }
}
