using System.Buffers;
using System.Numerics.Tensors;
using LayerSteer.Tensors;

namespace LayerSteer.Models;

/// <summary>Which normalisation a family uses.</summary>
public enum NormKind
{
    /// <summary>Llama: x / rms(x) · w.</summary>
    Rms,
    /// <summary>Gemma: x / rms(x) · (1 + w); folded into w at load, so the maths is <see cref="Rms"/>.</summary>
    RmsPlusOne,
    /// <summary>GPT-2: (x − mean) / std · w + b.</summary>
    Layer,
}

/// <summary>RMSNorm or LayerNorm over rows of width n, forward and backward side by side.</summary>
public sealed class Norm
{
    public NormKind Kind { get; }
    public float[] Weight { get; }
    public float[]? Bias { get; }
    public float Eps { get; }
    /// <summary>When set (training), <see cref="Backward"/> also adds ∂L/∂weight here (and ∂L/∂bias to BiasGrad).</summary>
    public float[]? WeightGrad { get; set; }
    public float[]? BiasGrad { get; set; }
    int N => Weight.Length;

    public Norm(NormKind kind, float[] weight, float[]? bias, double eps)
    {
        Kind = kind;
        Weight = kind == NormKind.RmsPlusOne ? weight.Select(w => 1f + w).ToArray() : weight;
        Bias = bias;
        Eps = (float)eps;
    }

    /// <summary>The per-row mean buffer this norm fills, sized to <paramref name="rows"/> (LayerNorm), or null (RMSNorm has none).</summary>
    public float[]? MeanBuffer(ref float[] buffer, int rows) => Kind == NormKind.Layer ? Buffers.Sized(ref buffer, rows) : null;

    /// <summary>y = norm(x) for each row; saves 1/σ (and the mean for LayerNorm) per row for backward.</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, float[]? invStd = null, float[]? mean = null)
    {
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * N, N);
            var yr = y.Slice(r * N, N);
            float mu = 0;
            if (Kind == NormKind.Layer) mu = TensorPrimitives.Sum(xr) / N;
            double ss = 0;
            for (int i = 0; i < N; i++) { double d = xr[i] - mu; ss += d * d; }
            float inv = (float)(1.0 / Math.Sqrt(ss / N + Eps));
            for (int i = 0; i < N; i++) yr[i] = (xr[i] - mu) * inv * Weight[i];
            if (Bias != null) TensorPrimitives.Add(yr, Bias, yr);
            if (invStd != null) invStd[r] = inv;
            if (mean != null) mean[r] = mu;
        }
    }

    /// <summary>dx += ∂/∂x given dy, the input x and the saved 1/σ (and mean).</summary>
    public void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, float[] invStd, float[]? mean, Span<float> dx, int rows)
    {
        var pooled = ArrayPool<float>.Shared.Rent(N);   // a pooled row: backward runs per layer per step
        var g = pooled.AsSpan(0, N);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * N, N);
            var dxr = dx.Slice(r * N, N);
            TensorPrimitives.Multiply(dy.Slice(r * N, N), Weight, g);
            float inv = invStd[r], mu = mean?[r] ?? 0f;
            if (WeightGrad != null)
                for (int i = 0; i < N; i++) WeightGrad[i] += dy[r * N + i] * (xr[i] - mu) * inv;
            if (BiasGrad != null) TensorPrimitives.Add(BiasGrad, dy.Slice(r * N, N), BiasGrad);
            // With x̂ = (x − μ)/σ: RMS has dx = (g − x̂·mean(g·x̂))/σ; LayerNorm also subtracts mean(g).
            double gx = 0, gs = 0;
            for (int i = 0; i < N; i++) { gx += g[i] * (xr[i] - mu) * inv; gs += g[i]; }
            float mgx = (float)(gx / N), mg = Kind == NormKind.Layer ? (float)(gs / N) : 0f;
            for (int i = 0; i < N; i++) dxr[i] += inv * (g[i] - mg - (xr[i] - mu) * inv * mgx);
        }
        ArrayPool<float>.Shared.Return(pooled);
    }
}
