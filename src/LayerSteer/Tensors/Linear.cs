using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using LayerSteer.Formats;

namespace LayerSteer.Tensors;

/// <summary>A linear layer y = x·Wᵀ + b with W [out, in] either in a managed fp32 array, or in place in a memory-mapped
/// checkpoint (F32, F16 or BF16, no copy): 16-bit weights go through <see cref="Gemv16"/> for a few rows and
/// <see cref="SkinnyGemm16"/> for more (backward: for a few dozen, then <see cref="PanelGemm"/>); fp32 weights through
/// <see cref="GemvF32"/> for a few rows and <see cref="Gemm"/> for more.</summary>
public sealed class Linear : ILinear
{
    public int In { get; }
    public int Out { get; }
    public float[]? Bias { get; }
    readonly float[]? _w;             // managed fp32
    readonly MappedTensor? _mapped;   // in the file
    float[]? _rowExact;   // managed weights packed for RowExactGemm, made on first use under Gemm.RowExact

    public Linear(float[] w, int outDim, int inDim, float[]? bias = null)
    {
        if (w.Length != (long)outDim * inDim) throw new ArgumentException($"weight has {w.Length} values, expected {outDim}×{inDim}");
        (_w, Out, In, Bias) = (w, outDim, inDim, bias);
    }

    public Linear(MappedTensor w, int outDim, int inDim, float[]? bias = null)
    {
        if (w.DType is not (DType.F32 or DType.F16 or DType.BF16)) throw new ArgumentException($"mapped weights must be F32, F16 or BF16, not {DTypes.Name(w.DType)}");
        if (w.Count != (long)outDim * inDim) throw new ArgumentException($"weight has {w.Count} values, expected {outDim}×{inDim}");
        if (w.ByteLength > int.MaxValue) throw new ArgumentException($"weight has {w.ByteLength} bytes, more than one span holds");
        (_mapped, Out, In, Bias) = (w, outDim, inDim, bias);
    }

    /// <summary>The dtype W is computed from: F32 for managed weights, else the file's.</summary>
    public DType StorageDType => _mapped?.DType ?? DType.F32;

    /// <summary>True when W is read in place from a mapped file rather than held in managed memory.</summary>
    public bool IsMapped => _mapped != null;

    /// <summary>The weights in fp32 (a copy unless they are held as a managed fp32 array).</summary>
    public float[] WeightF32()
    {
        if (_w != null) return _w;
        var f = new float[_mapped!.Count];
        using var lease = _mapped.Acquire();
        F32Conversion.Convert(_mapped.DType, lease.All<byte>(), f);
        return f;
    }

    /// <summary>Row i of W (an embedding lookup when W is an embedding table).</summary>
    public void ReadRow(int i, Span<float> dst)
    {
        if (_w != null) { _w.AsSpan(i * In, In).CopyTo(dst); return; }
        int size = DTypes.Size(_mapped!.DType);
        using var lease = _mapped.Acquire();
        F32Conversion.Convert(_mapped.DType, lease.Span<byte>((long)i * In * size, In * size), dst);
    }

    /// <summary>Bytes of the weight as computed from (for memory and bandwidth reports).</summary>
    public long Bytes => _w != null ? _w.LongLength * 4 : _mapped!.ByteLength;

    /// <summary>y[rows, Out] = x[rows, In]·Wᵀ + b.</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        if (_w != null)
        {
            if (Gemm.RowExact) RowExactGemm.Multiply(x, _rowExact ??= RowExactGemm.Pack(_w, Out, In), y, rows, In, Out);
            else ForwardF32(_w, x, y, rows);
        }
        else
        {
            using var lease = _mapped!.Acquire();
            if (Gemm.RowExact) RowExactStoredGemm.Multiply(_mapped.DType, lease.All<byte>(), x, y, rows, In, Out);   // no fp32 copy of a mapped model
            else if (_mapped.DType == DType.F32) ForwardF32(lease.All<float>(), x, y, rows);
            else if (rows <= Gemv16.MaxRows) Gemv16.Multiply(_mapped.DType, lease.All<ushort>(), x, y, rows, In, Out);
            else if (SkinnyGemm16.IsAccelerated) SkinnyGemm16.Forward(_mapped.DType, lease.All<ushort>(), x, y, rows, In, Out);
            else PanelGemm.Forward(_mapped.DType, lease.All<ushort>(), x, y, rows, In, Out);
        }
        if (Bias != null)
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(y.Slice(r * Out, Out), Bias, y.Slice(r * Out, Out));
    }

    // fp32 W, managed or mapped: the GEMV for a decode step's few rows, the GEMM for more.
    void ForwardF32(ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        if (rows <= GemvF32.MaxRows) GemvF32.Multiply(w, x, y, rows, In, Out);
        else Gemm.LinearForward(x, w, y, rows, In, Out);
    }

    /// <summary>dx[rows, In] += dy[rows, Out]·W — the input gradient only: model weights are frozen.</summary>
    public void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, int rows)
    {
        if (_w != null) { Gemm.Sgemm(false, false, rows, In, Out, 1f, dy, Out, _w, In, 1f, dx, In); return; }
        using var lease = _mapped!.Acquire();
        if (_mapped.DType == DType.F32) Gemm.Sgemm(false, false, rows, In, Out, 1f, dy, Out, lease.All<float>(), In, 1f, dx, In);
        else if (rows <= SkinnyGemm16.MaxRows && SkinnyGemm16.IsAccelerated) SkinnyGemm16.Backward(_mapped.DType, lease.All<ushort>(), dy, dx, rows, In, Out);
        else PanelGemm.Backward(_mapped.DType, lease.All<ushort>(), dy, dx, rows, In, Out);
    }
}
