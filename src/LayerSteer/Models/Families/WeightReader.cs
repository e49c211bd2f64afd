using System.Runtime.InteropServices;
using LayerSteer.Formats;
using LayerSteer.Tensors;

namespace LayerSteer.Models.Families;

/// <summary>Fetches named tensors from a checkpoint with shape checks that name the file, tensor and shapes.</summary>
public sealed class WeightReader(IWeightSource src, bool keep16Bit)
{
    public IWeightSource Source => src;

    public bool Has(string name) => src.Contains(name);

    /// <summary>The tensor in fp32, checked against the expected shape.</summary>
    public float[] F32(string name, params long[] shape)
    {
        Check(name, shape);
        return src.ReadF32(name);
    }

    /// <summary>A [out, in] linear layer (kept in 16 bits when asked and stored so), with an optional bias.</summary>
    public Linear Linear(string weight, int outDim, int inDim, string? bias = null)
    {
        Check(weight, outDim, inDim);
        float[]? b = bias != null ? F32(bias, outDim) : null;
        var info = src.Info(weight);
        if (keep16Bit && info.DType is DType.F16 or DType.BF16)
            return new Linear(MemoryMarshal.Cast<byte, ushort>(src.Raw(weight)).ToArray(), info.DType, outDim, inDim, b);
        return new Linear(src.ReadF32(weight), outDim, inDim, b);
    }

    /// <summary>A fused [Σ outDims, in] weight (Phi-3's qkv_proj, gate_up_proj) as one linear map per consecutive block of rows.</summary>
    public Linear[] SplitLinear(string weight, int inDim, params int[] outDims)
    {
        Check(weight, outDims.Sum(), inDim);
        var info = src.Info(weight);
        bool sixteen = keep16Bit && info.DType is DType.F16 or DType.BF16;
        var w16 = sixteen ? MemoryMarshal.Cast<byte, ushort>(src.Raw(weight)) : default;
        var w32 = sixteen ? null : src.ReadF32(weight);
        var parts = new Linear[outDims.Length];
        for (int k = 0, row = 0; k < outDims.Length; row += outDims[k++])
        {
            Range r = (row * inDim)..((row + outDims[k]) * inDim);
            parts[k] = sixteen ? new Linear(w16[r].ToArray(), info.DType, outDims[k], inDim) : new Linear(w32![r], outDims[k], inDim);
        }
        return parts;
    }

    void Check(string name, params long[] shape)
    {
        if (!src.Contains(name)) throw LayerSteerException.InFile(src.Path, $"tensor \"{name}\" is missing");
        var info = src.Info(name);
        if (!info.Shape.SequenceEqual(shape))
            throw LayerSteerException.InFile(src.Path, $"tensor \"{name}\" has shape {info.ShapeText}, expected [{string.Join(", ", shape)}]");
    }
}
