using LayerSteer.Tensors;

namespace LayerSteer.Formats;

/// <summary>Shape and dtype of one stored tensor.</summary>
public sealed record TensorInfo(string Name, DType DType, long[] Shape)
{
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>A checkpoint's named tensors (one safetensors file, a sharded set, or a converted legacy file).</summary>
public interface IWeightSource : IDisposable
{
    /// <summary>Where the tensors come from, for error messages.</summary>
    string Path { get; }
    IReadOnlyCollection<string> Names { get; }
    bool Contains(string name);
    TensorInfo Info(string name);

    /// <summary>The tensor converted to fp32 (F32, F16, BF16 and F64 sources).</summary>
    float[] ReadF32(string name);

    /// <summary>The tensor's stored bytes (little-endian, file dtype).</summary>
    ReadOnlySpan<byte> Raw(string name);

    /// <summary>The tensor in place in a memory-mapped file, or null when the source is not mapped.</summary>
    MappedTensor? Map(string name) => null;
}
