using System.Text;

namespace LayerSteer.Tests.Gguf;

/// <summary>Builds GGUF bytes field by field, so tests can write the files other tools write (and broken ones).</summary>
public sealed class GgufBytes
{
    readonly MemoryStream _ms = new();
    readonly BinaryWriter _w;

    public GgufBytes() => _w = new BinaryWriter(_ms, Encoding.UTF8);

    public GgufBytes U32(uint v) { _w.Write(v); return this; }
    public GgufBytes I32(int v) { _w.Write(v); return this; }
    public GgufBytes U64(ulong v) { _w.Write(v); return this; }
    public GgufBytes F32(float v) { _w.Write(v); return this; }
    public GgufBytes Raw(params byte[] b) { _w.Write(b); return this; }
    public GgufBytes Str(string s) { var b = Encoding.UTF8.GetBytes(s); return U64((ulong)b.Length).Raw(b); }

    /// <summary>"GGUF", version, tensor count, metadata count.</summary>
    public GgufBytes Header(uint tensors, uint kvs, uint version = 3) => Raw("GGUF"u8.ToArray()).U32(version).U64(tensors).U64(kvs);

    public GgufBytes KvString(string key, string value) => Str(key).U32(8).Str(value);
    public GgufBytes KvU32(string key, uint value) => Str(key).U32(4).U32(value);
    public GgufBytes KvI32(string key, int value) => Str(key).U32(5).I32(value);

    /// <summary>A tensor info: 1-D of <paramref name="n"/> elements of ggml type <paramref name="type"/> at data offset <paramref name="offset"/>.</summary>
    public GgufBytes Tensor(string name, ulong n, uint type, ulong offset) => Str(name).U32(1).U64(n).U32(type).U64(offset);

    /// <summary>Zero bytes up to the next multiple of <paramref name="alignment"/> (the start of the data section).</summary>
    public GgufBytes Align(int alignment = 32) { while (_ms.Length % alignment != 0) _w.Write((byte)0); return this; }

    public GgufBytes Floats(IEnumerable<float> values) { foreach (var v in values) _w.Write(v); return this; }

    public byte[] ToArray() { _w.Flush(); return _ms.ToArray(); }

    public string Save(string path) { File.WriteAllBytes(path, ToArray()); return path; }
}
