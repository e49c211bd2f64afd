using System.Runtime.Intrinsics;

namespace LayerSteer.Tensors;

/// <summary>y = x·Wᵀ (a linear layer's forward) where every row of y depends only on its own row of x, bit for bit: each element is
/// one chain of fused multiply-adds over k in order, y[r, j] = fma(x[r, k−1], W[j, k−1], … fma(x[r, 0], W[j, 0], 0)), vectorised
/// across outputs (lanes never mix), whatever the number of rows, a row's place in the batch or the buffers' alignment. BLAS
/// kernels choose blockings by shape, so a row batched with others would otherwise round differently than alone. W is packed
/// once into panels of 16 outputs ([panel][k][16]); 4 rows × 16 outputs are register-blocked, so a batch reuses every weight it
/// loads four times and a lone row streams the panels once.</summary>
public static unsafe class RowExactGemm
{
    public const int Panel = 16;
    const int RowBlock = 4;
    // Below this many multiply-adds a product runs on the calling thread: small models decode faster without the hand-offs.
    const long ParallelWork = 1L << 22;

    /// <summary>W [outDim, inDim] packed for <see cref="Multiply"/>: full panels of 16 outputs as [k][16], then the remaining outputs as [k][rest].</summary>
    public static float[] Pack(ReadOnlySpan<float> w, int outDim, int inDim)
    {
        var packed = new float[(long)outDim * inDim];
        for (int j0 = 0; j0 < outDim; j0 += Panel)
        {
            int width = Math.Min(Panel, outDim - j0);
            long baseOff = (long)j0 * inDim;
            for (int p = 0; p < inDim; p++)
                for (int jj = 0; jj < width; jj++) packed[baseOff + (long)p * width + jj] = w[(j0 + jj) * inDim + p];
        }
        return packed;
    }

    /// <summary>y[rows, outDim] = x[rows, inDim] · Wᵀ with W packed by <see cref="Pack"/>.</summary>
    public static void Multiply(ReadOnlySpan<float> x, float[] packed, Span<float> y, int rows, int inDim, int outDim)
    {
        int panels = (outDim + Panel - 1) / Panel;
        fixed (float* px = x) fixed (float* pw = packed) fixed (float* py = y)
        {
            var body = new PanelBody { X = px, W = pw, Y = py, Rows = rows, InDim = inDim, OutDim = outDim };
            Spread(panels, (long)rows * outDim * inDim, ref body);
        }
    }

    /// <summary>Panel t of y: outputs [16t, 16t + 16) for every row.</summary>
    struct PanelBody : IParallelBody
    {
        public float* X, W, Y;
        public int Rows, InDim, OutDim;

        public readonly void Run(int t)
        {
            int j0 = t * Panel, width = Math.Min(Panel, OutDim - j0);
            float* wp = W + (long)j0 * InDim;
            int r = 0;
            if (width == Panel)
            {
                for (; r + RowBlock <= Rows; r += RowBlock) Block4x16(X + (long)r * InDim, InDim, wp, Y + (long)r * OutDim + j0, OutDim);
                for (; r < Rows; r++) Block1x16(X + (long)r * InDim, InDim, wp, Y + (long)r * OutDim + j0);
            }
            else
                for (; r < Rows; r++) Narrow(X + (long)r * InDim, InDim, wp, width, Y + (long)r * OutDim + j0);
        }
    }

    /// <summary>body.Run(0 … count−1) for the row-exact kernels (this GEMM, attention): on the calling thread when the work
    /// (multiply-adds) is small, else on <see cref="Workers"/> (which also stays on the calling thread under the batch scheduler's
    /// <c>InlineTaskScheduler</c>). The split never changes a result.</summary>
    public static void Spread<TBody>(int count, long work, ref TBody body) where TBody : struct, IParallelBody
    {
        if (work < ParallelWork) for (int i = 0; i < count; i++) body.Run(i);
        else Workers.For(count, ref body);
    }

    static void Block4x16(float* x0, int k, float* w, float* y, int ldy)
    {
        float* x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
        Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
        for (int p = 0; p < k; p++, w += Panel)
        {
            var lo = Vector256.Load(w); var hi = Vector256.Load(w + 8);
            var s = Vector256.Create(x0[p]); a0 = Vector256.FusedMultiplyAdd(s, lo, a0); b0 = Vector256.FusedMultiplyAdd(s, hi, b0);
            s = Vector256.Create(x1[p]); a1 = Vector256.FusedMultiplyAdd(s, lo, a1); b1 = Vector256.FusedMultiplyAdd(s, hi, b1);
            s = Vector256.Create(x2[p]); a2 = Vector256.FusedMultiplyAdd(s, lo, a2); b2 = Vector256.FusedMultiplyAdd(s, hi, b2);
            s = Vector256.Create(x3[p]); a3 = Vector256.FusedMultiplyAdd(s, lo, a3); b3 = Vector256.FusedMultiplyAdd(s, hi, b3);
        }
        a0.Store(y); b0.Store(y + 8);
        a1.Store(y + ldy); b1.Store(y + ldy + 8);
        a2.Store(y + 2L * ldy); b2.Store(y + 2L * ldy + 8);
        a3.Store(y + 3L * ldy); b3.Store(y + 3L * ldy + 8);
    }

    static void Block1x16(float* x, int k, float* w, float* y)
    {
        Vector256<float> a = default, b = default;
        for (int p = 0; p < k; p++, w += Panel)
        {
            var s = Vector256.Create(x[p]);
            a = Vector256.FusedMultiplyAdd(s, Vector256.Load(w), a);
            b = Vector256.FusedMultiplyAdd(s, Vector256.Load(w + 8), b);
        }
        a.Store(y); b.Store(y + 8);
    }

    // The last panel when outDim is not a multiple of 16: the same chain per element, one lane at a time.
    static void Narrow(float* x, int k, float* w, int width, float* y)
    {
        for (int jj = 0; jj < width; jj++)
        {
            float acc = 0;
            for (int p = 0; p < k; p++) acc = MathF.FusedMultiplyAdd(x[p], w[(long)p * width + jj], acc);
            y[jj] = acc;
        }
    }
}
