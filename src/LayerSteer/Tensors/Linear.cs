using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using LayerSteer.Formats;

namespace LayerSteer.Tensors;

/// <summary>A linear layer y = x·Wᵀ + b with W stored [out, in] in fp32, or in its 16-bit file dtype
/// (converted tile by tile on use) when the model is too large to hold in fp32.</summary>
public sealed class Linear : ILinear
{
    public int In { get; }
    public int Out { get; }
    public float[]? Bias { get; }
    readonly float[]? _w;      // fp32 storage
    readonly ushort[]? _w16;   // F16/BF16 storage
    readonly DType _dtype;
    float[]? _rowExact;   // the weights packed for RowExactGemm, made on first use under Gemm.RowExact
    const int TileRows = 128;

    public Linear(float[] w, int outDim, int inDim, float[]? bias = null)
    {
        if (w.Length != (long)outDim * inDim) throw new ArgumentException($"weight has {w.Length} values, expected {outDim}×{inDim}");
        (_w, Out, In, Bias, _dtype) = (w, outDim, inDim, bias, DType.F32);
    }

    public Linear(ushort[] w16, DType dtype, int outDim, int inDim, float[]? bias = null)
    {
        if (dtype is not (DType.F16 or DType.BF16)) throw new ArgumentException("16-bit storage must be F16 or BF16");
        if (w16.Length != (long)outDim * inDim) throw new ArgumentException($"weight has {w16.Length} values, expected {outDim}×{inDim}");
        (_w16, _dtype, Out, In, Bias) = (w16, dtype, outDim, inDim, bias);
    }

    /// <summary>The weights in fp32 (a copy when stored in 16 bits).</summary>
    public float[] WeightF32()
    {
        if (_w != null) return _w;
        var f = new float[_w16!.Length];
        F32Conversion.Convert(_dtype, MemoryMarshal.AsBytes(_w16.AsSpan()), f);
        return f;
    }

    /// <summary>Row i of W (an embedding lookup when W is an embedding table).</summary>
    public void ReadRow(int i, Span<float> dst)
    {
        if (_w != null) _w.AsSpan(i * In, In).CopyTo(dst);
        else F32Conversion.Convert(_dtype, MemoryMarshal.AsBytes(_w16.AsSpan(i * In, In)), dst);
    }

    /// <summary>Bytes held by the weight (for memory reports).</summary>
    public long Bytes => _w != null ? _w.LongLength * 4 : _w16!.LongLength * 2;

    /// <summary>y[rows, Out] = x[rows, In]·Wᵀ + b.</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        if (Gemm.RowExact) RowExactGemm.Multiply(x, _rowExact ??= RowExactGemm.Pack(WeightF32(), Out, In), y, rows, In, Out);
        else if (_w != null) Gemm.LinearForward(x, _w, y, rows, In, Out);
        else
        {
            var tile = new float[TileRows * In];
            for (int o0 = 0; o0 < Out; o0 += TileRows)
            {
                int t = Math.Min(TileRows, Out - o0);
                F32Conversion.Convert(_dtype, MemoryMarshal.AsBytes(_w16.AsSpan(o0 * In, t * In)), tile);
                Gemm.Sgemm(false, true, rows, t, In, 1f, x, In, tile, In, 0f, y[o0..], Out);
            }
        }
        if (Bias != null)
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(y.Slice(r * Out, Out), Bias, y.Slice(r * Out, Out));
    }

    /// <summary>dx[rows, In] += dy[rows, Out]·W — the input gradient only: model weights are frozen.</summary>
    public void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, int rows)
    {
        if (_w != null) { Gemm.Sgemm(false, false, rows, In, Out, 1f, dy, Out, _w, In, 1f, dx, In); return; }
        var tile = new float[TileRows * In];
        for (int o0 = 0; o0 < Out; o0 += TileRows)
        {
            int t = Math.Min(TileRows, Out - o0);
            F32Conversion.Convert(_dtype, MemoryMarshal.AsBytes(_w16.AsSpan(o0 * In, t * In)), tile);
            Gemm.Sgemm(false, false, rows, In, t, 1f, dy[o0..], Out, tile, In, 1f, dx, In);
        }
    }
}
