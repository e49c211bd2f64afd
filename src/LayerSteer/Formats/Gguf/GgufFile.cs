using System.Buffers.Binary;
using System.Text;
using LayerSteer.Tensors;

namespace LayerSteer.Formats.Gguf;

/// <summary>One tensor of a GGUF file: name, shape (ggml order: the first dimension varies fastest), element type, and its
/// byte span [Offset, Offset + Bytes) from the start of the file.</summary>
public sealed record GgufTensor(string Name, long[] Shape, DType Type, long Offset, long Bytes)
{
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);
}

/// <summary>A GGUF file (versions 2 and 3, little-endian) read strictly: every length is bounded by the bytes left, every
/// metadata type and tensor type is known, keys and tensor names are unique, offsets are aligned and inside the file, and
/// tensors do not overlap. Only the header is read up front; tensor data on demand.</summary>
public sealed class GgufFile
{
    public const uint Magic = 0x46554747;   // "GGUF"
    /// <summary>general.alignment when a file does not set it.</summary>
    public const uint DefaultAlignment = 32;
    /// <summary>ggml's GGML_MAX_DIMS and GGML_MAX_NAME (a name is stored with its NUL in 64 bytes).</summary>
    public const int MaxDims = 4, MaxNameBytes = 63;
    const int MaxKeyBytes = 65535;

    public string Path { get; }
    public uint Version { get; }
    public uint Alignment { get; }
    /// <summary>Where the data section starts (tensor offsets in the file count from here).</summary>
    public long DataStart { get; }
    /// <summary>The key-value pairs in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata { get; }
    public IReadOnlyList<GgufTensor> Tensors { get; }
    readonly Dictionary<string, GgufValue> _byKey;

    GgufFile(string path, uint version, uint alignment, long dataStart, List<KeyValuePair<string, GgufValue>> md, List<GgufTensor> tensors)
    {
        (Path, Version, Alignment, DataStart, Metadata, Tensors) = (path, version, alignment, dataStart, md, tensors);
        _byKey = md.ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    /// <summary>The value of <paramref name="key"/>, or null when the file does not have it.</summary>
    public GgufValue? Get(string key) => _byKey.GetValueOrDefault(key);

    public static GgufFile Read(string path)
    {
        if (!File.Exists(path)) throw LayerSteerException.InFile(path, "GGUF file not found");
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return Parse(new Cursor(fs, path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LayerSteerException.InFile(path, $"cannot read ({e.Message})");
        }
    }

    static GgufFile Parse(Cursor c)
    {
        if (c.Length < 24) throw c.Bad($"file is {c.Length} bytes, shorter than a GGUF header (24)");
        if (c.U32() != Magic) throw c.Bad("not a GGUF file (the first 4 bytes are not \"GGUF\")");
        uint version = c.U32();
        if (version is not (2 or 3))
            throw c.Bad(version == 1 ? "GGUF version 1 (32-bit counts) is not supported; re-convert the file"
                : $"GGUF version {version} is not supported (this reader reads 2 and 3, little-endian)");
        long nTensors = c.Count(c.U64(), 8 + 4 + 8 + 4 + 8, "tensor count");
        long nKv = c.Count(c.U64(), 8 + 4 + 1, "metadata count");

        var md = new List<KeyValuePair<string, GgufValue>>();
        var keys = new HashSet<string>();
        for (long i = 0; i < nKv; i++)
        {
            string key = c.Str(MaxKeyBytes, "metadata key");
            if (!keys.Add(key)) throw c.Bad($"metadata key \"{key}\" appears twice");
            md.Add(new(key, Value(c, key)));
        }
        uint alignment = DefaultAlignment;
        if (md.FirstOrDefault(kv => kv.Key == "general.alignment").Value is { } a)
            alignment = a.Value is uint u && u > 0 && (u & (u - 1)) == 0 ? u : throw c.Bad($"general.alignment must be a power-of-two UInt32, got {a}");

        var infos = new List<(string Name, long[] Shape, DType Type, long Offset)>();
        var names = new HashSet<string>();
        for (long i = 0; i < nTensors; i++)
        {
            string name = c.Str(MaxNameBytes, "tensor name");
            if (!names.Add(name)) throw c.Bad($"tensor \"{name}\" appears twice");
            uint nDims = c.U32();
            if (nDims is < 1 or > MaxDims) throw c.Bad($"tensor \"{name}\" has {nDims} dimensions (1..{MaxDims})");
            var shape = new long[nDims];
            for (int d = 0; d < nDims; d++)
                shape[d] = c.U64() is var n && n <= int.MaxValue ? (long)n : throw c.Bad($"tensor \"{name}\" dimension {d} is {n}");
            uint type = c.U32();
            var dtype = Element(type) ?? throw c.Bad($"tensor \"{name}\" has ggml type {type}, which this reader does not read (F32, F16, BF16, F64, I8, I16, I32, I64; not quantized types)");
            ulong offset = c.U64();
            if (offset % alignment != 0) throw c.Bad($"tensor \"{name}\" offset {offset} is not a multiple of the alignment {alignment}");
            infos.Add((name, shape, dtype, offset <= long.MaxValue ? (long)offset : throw c.Bad($"tensor \"{name}\" offset {offset} is impossible")));
        }
        long dataStart = (c.Position + alignment - 1) / alignment * alignment;
        var tensors = new List<GgufTensor>();
        foreach (var (name, shape, dtype, offset) in infos)
        {
            Int128 bytes = DTypes.Size(dtype);
            foreach (long d in shape) bytes *= d;
            if (bytes > c.Length || dataStart + offset + bytes > c.Length)
                throw c.Bad($"tensor \"{name}\" ({string.Join(" × ", shape)} {DTypes.Name(dtype)}) at data offset {offset} runs past the end of the file ({c.Length} bytes)");
            tensors.Add(new GgufTensor(name, shape, dtype, dataStart + offset, (long)bytes));
        }
        var sorted = tensors.Where(t => t.Bytes > 0).OrderBy(t => t.Offset).ToList();
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i].Offset < sorted[i - 1].Offset + sorted[i - 1].Bytes)
                throw c.Bad($"tensors \"{sorted[i - 1].Name}\" and \"{sorted[i].Name}\" overlap in the data section");
        return new GgufFile(c.Path, version, alignment, dataStart, md, tensors);
    }

    static GgufValue Value(Cursor c, string key)
    {
        uint t = c.U32();
        if (!Enum.IsDefined((GgufType)t)) throw c.Bad($"metadata \"{key}\" has unknown type {t}");
        var type = (GgufType)t;
        if (type != GgufType.Array) return new GgufValue(type, Scalar(c, type, key));
        uint et = c.U32();
        if (!Enum.IsDefined((GgufType)et)) throw c.Bad($"metadata \"{key}\" is an array of unknown type {et}");
        var elem = (GgufType)et;
        if (elem == GgufType.Array) throw c.Bad($"metadata \"{key}\" is an array of arrays, which GGUF readers do not accept");
        long n = c.Count(c.U64(), elem == GgufType.String ? 8 : ScalarSize(elem), $"metadata \"{key}\" length");
        var items = new object[n];
        for (long i = 0; i < n; i++) items[i] = Scalar(c, elem, key);
        return new GgufValue(type, items, elem);
    }

    static int ScalarSize(GgufType t) => t switch
    {
        GgufType.UInt8 or GgufType.Int8 or GgufType.Bool => 1,
        GgufType.UInt16 or GgufType.Int16 => 2,
        GgufType.UInt32 or GgufType.Int32 or GgufType.Float32 => 4,
        _ => 8,
    };

    static object Scalar(Cursor c, GgufType t, string key) => t switch
    {
        GgufType.UInt8 => c.Bytes(1)[0],
        GgufType.Int8 => (sbyte)c.Bytes(1)[0],
        GgufType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(c.Bytes(2)),
        GgufType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(c.Bytes(2)),
        GgufType.UInt32 => c.U32(),
        GgufType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(c.Bytes(4)),
        GgufType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(c.Bytes(4)),
        GgufType.Bool => c.Bytes(1)[0] switch { 0 => false, 1 => true, var b => throw c.Bad($"metadata \"{key}\" holds bool byte {b} (0 or 1)") },
        GgufType.String => c.Str(int.MaxValue, $"metadata \"{key}\""),
        GgufType.UInt64 => c.U64(),
        GgufType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(c.Bytes(8)),
        _ => BinaryPrimitives.ReadDoubleLittleEndian(c.Bytes(8)),
    };

    /// <summary>ggml's type numbers of the element types this reader knows (no block-quantized types).</summary>
    static DType? Element(uint ggmlType) => ggmlType switch
    {
        0 => DType.F32, 1 => DType.F16, 30 => DType.BF16, 28 => DType.F64, 24 => DType.I8, 25 => DType.I16, 26 => DType.I32, 27 => DType.I64,
        _ => null,
    };

    /// <summary>ggml's number for <paramref name="t"/> (what a writer stores).</summary>
    public static uint GgmlType(DType t) => t switch
    {
        DType.F32 => 0, DType.F16 => 1, DType.BF16 => 30, DType.F64 => 28, DType.I8 => 24, DType.I16 => 25, DType.I32 => 26, DType.I64 => 27,
        _ => throw new ArgumentException($"GGUF has no {DTypes.Name(t)} tensors", nameof(t)),
    };

    /// <summary>The tensor's values as fp32 (F32, F16, BF16 and F64 tensors).</summary>
    public float[] ReadF32(GgufTensor t)
    {
        if (!F32Conversion.Supports(t.Type)) throw LayerSteerException.InFile(Path, $"tensor \"{t.Name}\" is {DTypes.Name(t.Type)}, not a float type");
        if (t.Bytes > int.MaxValue) throw LayerSteerException.InFile(Path, $"tensor \"{t.Name}\" is {t.Bytes} bytes, too large for one array");
        var raw = new byte[t.Bytes];
        try
        {
            using var h = File.OpenHandle(Path);
            if (RandomAccess.Read(h, raw, t.Offset) != raw.Length) throw LayerSteerException.InFile(Path, $"tensor \"{t.Name}\" is cut short (the file changed?)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LayerSteerException.InFile(Path, $"cannot read tensor \"{t.Name}\" ({e.Message})");
        }
        var values = new float[t.Count];
        F32Conversion.Convert(t.Type, raw, values);
        return values;
    }

    /// <summary>Reads the header from a stream, never past its end and never more than the bytes left.</summary>
    sealed class Cursor(Stream s, string path)
    {
        static readonly UTF8Encoding StrictUtf8 = new(false, true);
        readonly byte[] _buf = new byte[8];
        public string Path => path;
        public long Length { get; } = s.Length;
        public long Position { get; private set; }

        public LayerSteerException Bad(string problem) => LayerSteerException.InFile(path, problem);

        public ReadOnlySpan<byte> Bytes(int n)
        {
            var b = n <= 8 ? _buf.AsSpan(0, n) : new byte[n];
            if (Position + n > Length) throw Bad($"header is cut short at byte {Position} (needs {n} more bytes, the file has {Length - Position})");
            s.ReadExactly(b);
            Position += n;
            return b;
        }

        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));
        public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8));

        /// <summary>A count of items that each take at least <paramref name="minBytes"/>: impossible counts fail before anything is allocated.</summary>
        public long Count(ulong n, int minBytes, string what) =>
            n <= (ulong)((Length - Position) / minBytes) ? (long)n : throw Bad($"{what} {n} is impossible: {Length - Position} bytes are left");

        public string Str(int maxBytes, string what)
        {
            ulong n = U64();
            if (n > (ulong)maxBytes || n > (ulong)(Length - Position)) throw Bad($"{what} at byte {Position - 8} claims {n} bytes ({Length - Position} left, limit {maxBytes})");
            var bytes = Bytes((int)n);
            try { return StrictUtf8.GetString(bytes); }
            catch (DecoderFallbackException) { throw Bad($"{what} at byte {Position - (long)n} is not valid UTF-8"); }
        }
    }
}
