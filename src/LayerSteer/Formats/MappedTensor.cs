using System.Runtime.InteropServices;
using LayerSteer.Tensors;

namespace LayerSteer.Formats;

/// <summary>A tensor's bytes in place inside a memory-mapped file, read by compute without a managed copy. Every read holds a
/// <see cref="Lease"/> on the mapping's handle, so once the source is disposed a read throws ObjectDisposedException instead of
/// touching unmapped memory, and a read in flight keeps the pages mapped until it ends.</summary>
public sealed unsafe class MappedTensor
{
    readonly SafeHandle _mapping;
    readonly byte* _bytes;

    public DType DType { get; }
    /// <summary>Number of elements.</summary>
    public long Count { get; }
    public long ByteLength => Count * DTypes.Size(DType);

    internal MappedTensor(SafeHandle mapping, byte* bytes, DType dtype, long count)
    {
        _mapping = mapping;
        _bytes = bytes;
        DType = dtype;
        Count = count;
    }

    /// <summary>Elements [first, first + count) as a tensor of their own (one block of a fused weight), sharing the mapping.</summary>
    public MappedTensor Slice(long first, long count)
    {
        if (first < 0 || count < 0 || first + count > Count) throw new ArgumentOutOfRangeException(nameof(first), $"[{first}, {first + count}) is outside the tensor's {Count} elements");
        return new(_mapping, _bytes + first * DTypes.Size(DType), DType, count);
    }

    /// <summary>Pins the mapping for one read; dispose the lease when done.</summary>
    public Lease Acquire()
    {
        bool added = false;
        _mapping.DangerousAddRef(ref added);
        return new Lease(_mapping, _bytes, ByteLength);
    }

    /// <summary>The mapped bytes while the mapping is pinned.</summary>
    public readonly ref struct Lease(SafeHandle mapping, byte* bytes, long byteLength)
    {
        /// <summary>count values of type T from the first-th T (T: the stored element type, its bit pattern, or byte).</summary>
        public ReadOnlySpan<T> Span<T>(long first, int count) where T : unmanaged => new((T*)bytes + first, count);

        /// <summary>The whole tensor as T.</summary>
        public ReadOnlySpan<T> All<T>() where T : unmanaged =>
            byteLength / sizeof(T) <= int.MaxValue ? new(bytes, (int)(byteLength / sizeof(T)))
                : throw new LayerSteerException($"a tensor of {byteLength} bytes is too large for one span");

        public void Dispose() => mapping.DangerousRelease();
    }
}
