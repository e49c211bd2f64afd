using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using LayerSteer.Tensors;

namespace LayerSteer.Formats;

/// <summary>A memory-mapped, read-only .safetensors file: 8-byte LE header length, JSON header, raw tensor bytes.</summary>
public sealed unsafe class SafeTensorsFile : IWeightSource
{
    readonly MemoryMappedFile _map;
    readonly MemoryMappedViewAccessor _view;
    readonly byte* _base;
    readonly byte* _data;
    readonly Dictionary<string, SafeTensorsEntry> _entries;
    bool _disposed;

    public string Path { get; }
    /// <summary>Whether Linux took the hint to read and map this file in 2 MiB pages (<see cref="HugePages"/>).</summary>
    internal bool AdvisedHugePages { get; }
    public IReadOnlyCollection<string> Names { get; }
    /// <summary>The header's "__metadata__" strings (e.g. "format": "pt").</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public SafeTensorsFile(string path)
    {
        Path = path;
        long length = WeightSources.FileLength(path);
        if (length < 8) throw LayerSteerException.InFile(path, $"file is {length} bytes, shorter than the 8-byte safetensors header length");
        _map = WeightSources.Try(path, () => MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read));
        try
        {
            _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* p = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            _base = p;
            AdvisedHugePages = HugePages.Advise(p, length + _view.PointerOffset);
            p += _view.PointerOffset;

            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(p, 8));
            if (headerLength > SafeTensorsHeader.MaxBytes || headerLength > (ulong)(length - 8))
                throw LayerSteerException.InFile(path, $"safetensors header length {headerLength} is impossible (file is {length} bytes, limit {SafeTensorsHeader.MaxBytes})");
            _data = p + 8 + (long)headerLength;
            var header = SafeTensorsHeader.Parse(new ReadOnlySpan<byte>(p + 8, (int)headerLength), length - 8 - (long)headerLength, path);
            _entries = header.Entries.ToDictionary(e => e.Info.Name);
            Names = header.Entries.Select(e => e.Info.Name).ToList();
            Metadata = header.Metadata;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _entries.ContainsKey(name);
    public TensorInfo Info(string name) => Entry(name).Info;

    public ReadOnlySpan<byte> Raw(string name)
    {
        var e = Entry(name);
        long n = e.End - e.Begin;
        if (n > int.MaxValue) throw LayerSteerException.InFile(Path, $"tensor \"{name}\" is {n} bytes, too large for one span");
        return new ReadOnlySpan<byte>(_data + e.Begin, (int)n);
    }

    public MappedTensor Map(string name)
    {
        var e = Entry(name);
        return new MappedTensor(_view.SafeMemoryMappedViewHandle, _data + e.Begin, e.Info.DType, e.Info.Count);
    }

    public float[] ReadF32(string name)
    {
        var info = Info(name);
        if (!F32Conversion.Supports(info.DType))
            throw LayerSteerException.InFile(Path, $"tensor \"{name}\" is {DTypes.Name(info.DType)}; only F32, F16, BF16 and F64 convert to fp32");
        if (info.Count > Array.MaxLength) throw LayerSteerException.InFile(Path, $"tensor \"{name}\" has {info.Count} elements, too many for one array");
        var result = new float[info.Count];
        F32Conversion.Convert(info.DType, Raw(name), result);
        return result;
    }

    SafeTensorsEntry Entry(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _entries.TryGetValue(name, out var e) ? e : throw WeightSources.NoTensor(Path, name);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_view != null)
        {
            if (_base != null) _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map.Dispose();
    }
}
