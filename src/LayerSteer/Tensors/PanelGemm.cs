using System.Runtime.InteropServices;

namespace LayerSteer.Tensors;

/// <summary>Backward products of many rows with 16-bit W [Out, In] (and forwards where 256-bit vectors are emulated): consecutive rows of W are widened into a per-thread fp32 panel
/// of about 1 MiB (cache-sized, reused by every call on the thread, never allocated per call) that <see cref="Gemm"/> multiplies.
/// Many rows reuse each weight often enough that widening it once per call costs a few percent of the GEMM.</summary>
public static class PanelGemm
{
    const int PanelFloats = 1 << 18;
    [ThreadStatic] static float[]? _panel;

    /// <summary>Rows of W per panel: about <see cref="PanelFloats"/> values, a multiple of 16 rows, at least 16.</summary>
    static int PanelRows(int inDim, int outDim) => Math.Min(outDim, Math.Max(16, PanelFloats / inDim / 16 * 16));

    /// <summary>The thread's panel, widened from W's rows [o0, o0 + rows) on the calling thread alone: about 5% of the GEMM after
    /// it, and splitting it over the worker pool left a worker spinning beside OpenBLAS's threads (prefill 3–50% slower in three A/B runs).</summary>
    static float[] Widen(DType dtype, ReadOnlySpan<ushort> w, int o0, int rows, int inDim, int capacity)
    {
        var panel = _panel is { } p && p.Length >= capacity ? p : _panel = new float[capacity];
        int n = rows * inDim;
        F32Conversion.Convert(dtype, MemoryMarshal.AsBytes(w.Slice(o0 * inDim, n)), panel.AsSpan(0, n));
        return panel;
    }

    /// <summary>y[rows, Out] = x[rows, In]·Wᵀ.</summary>
    public static void Forward(DType dtype, ReadOnlySpan<ushort> w, ReadOnlySpan<float> x, Span<float> y, int rows, int inDim, int outDim)
    {
        int pr = PanelRows(inDim, outDim);
        for (int o0 = 0; o0 < outDim; o0 += pr)
        {
            int t = Math.Min(pr, outDim - o0);
            var panel = Widen(dtype, w, o0, t, inDim, pr * inDim);
            Gemm.Sgemm(false, true, rows, t, inDim, 1f, x, inDim, panel, inDim, 0f, y[o0..], outDim);
        }
    }

    /// <summary>dx[rows, In] += dy[rows, Out]·W.</summary>
    public static void Backward(DType dtype, ReadOnlySpan<ushort> w, ReadOnlySpan<float> dy, Span<float> dx, int rows, int inDim, int outDim)
    {
        int pr = PanelRows(inDim, outDim);
        for (int o0 = 0; o0 < outDim; o0 += pr)
        {
            int t = Math.Min(pr, outDim - o0);
            var panel = Widen(dtype, w, o0, t, inDim, pr * inDim);
            Gemm.Sgemm(false, false, rows, inDim, t, 1f, dy[o0..], outDim, panel, inDim, 1f, dx, inDim);
        }
    }
}
