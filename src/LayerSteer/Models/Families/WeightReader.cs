using LayerSteer.Formats;
using LayerSteer.Tensors;

namespace LayerSteer.Models.Families;

/// <summary>Fetches named tensors from a checkpoint with shape checks that name the file, tensor and shapes. Linear weights
/// stay in place in a memory-mapped file (F32 always, F16/BF16 unless <paramref name="convert16Bit"/>); anything else,
/// and weights of sources that are not mapped, become managed fp32 arrays.</summary>
public sealed class WeightReader(IWeightSource src, bool convert16Bit)
{
    public IWeightSource Source => src;

    public bool Has(string name) => src.Contains(name);

    /// <summary>The tensor in fp32 (a managed copy), checked against the expected shape.</summary>
    public float[] F32(string name, params long[] shape)
    {
        Check(name, shape);
        return src.ReadF32(name);
    }

    /// <summary>A [out, in] linear layer, in place when <see cref="InPlace"/>, with an optional bias.</summary>
    public Linear Linear(string weight, int outDim, int inDim, string? bias = null)
    {
        Check(weight, outDim, inDim);
        float[]? b = bias != null ? F32(bias, outDim) : null;
        return InPlace(weight) is { } m ? new Linear(m, outDim, inDim, b) : new Linear(src.ReadF32(weight), outDim, inDim, b);
    }

    /// <summary>A fused [Σ outDims, in] weight (Phi-3's qkv_proj, gate_up_proj) as one linear map per consecutive block of rows.</summary>
    public Linear[] SplitLinear(string weight, int inDim, params int[] outDims)
    {
        Check(weight, outDims.Sum(), inDim);
        var mapped = InPlace(weight);
        var w32 = mapped == null ? src.ReadF32(weight) : null;
        var parts = new Linear[outDims.Length];
        for (int k = 0, row = 0; k < outDims.Length; row += outDims[k++])
        {
            long first = (long)row * inDim, count = (long)outDims[k] * inDim;
            parts[k] = mapped != null ? new Linear(mapped.Slice(first, count), outDims[k], inDim)
                : new Linear(w32![(int)first..(int)(first + count)], outDims[k], inDim);
        }
        return parts;
    }

    /// <summary>The weight mapped in place, or null when it is to be converted to a managed fp32 array.</summary>
    MappedTensor? InPlace(string name) => StaysInPlace(src.Info(name), convert16Bit) ? src.Map(name) : null;

    /// <summary>Whether a linear weight of this dtype and size is computed in place from a mapped file (when the source maps).</summary>
    public static bool StaysInPlace(TensorInfo t, bool convert16Bit) =>
        t.Count * DTypes.Size(t.DType) <= int.MaxValue && (t.DType == DType.F32 || (!convert16Bit && t.DType is DType.F16 or DType.BF16));

    void Check(string name, params long[] shape)
    {
        if (!src.Contains(name)) throw LayerSteerException.InFile(src.Path, $"tensor \"{name}\" is missing");
        var info = src.Info(name);
        if (!info.Shape.SequenceEqual(shape))
            throw LayerSteerException.InFile(src.Path, $"tensor \"{name}\" has shape {info.ShapeText}, expected [{string.Join(", ", shape)}]");
    }
}
