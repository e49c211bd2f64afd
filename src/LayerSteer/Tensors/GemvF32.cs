using System.Runtime.Intrinsics;

namespace LayerSteer.Tensors;

/// <summary>y[rows, Out] = x[rows, In]·Wᵀ for the few rows of a decode step with fp32 W: the outputs split into chunks across the
/// cores (as <see cref="Gemv16"/> does), each output one dot product per row, W prefetched ahead of the first row's pass.
/// OpenBLAS's sgemm hands every call to its threads, which costs more than a small model's whole product.</summary>
public static unsafe class GemvF32
{
    /// <summary>Up to this many rows go through the GEMV (the same cut as the 16-bit one).</summary>
    public const int MaxRows = Gemv16.MaxRows;

    public static void Multiply(ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y, int rows, int inDim, int outDim) =>
        Multiply(w, x, y, rows, inDim, outDim, Gemv16.Best);

    /// <summary>The same with 512-bit vectors (<see cref="Gemv16.Kernel.Vector512"/>) or 256-bit ones (any other): a test runs both.</summary>
    public static void Multiply(ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y, int rows, int inDim, int outDim, Gemv16.Kernel kernel)
    {
        if (rows < 1 || rows > MaxRows) throw new ArgumentOutOfRangeException(nameof(rows), $"the GEMV takes 1..{MaxRows} rows, got {rows}");
        if (w.Length < (long)outDim * inDim || x.Length < rows * inDim || y.Length < rows * outDim) throw new ArgumentException("a buffer is shorter than its shape");
        fixed (float* pw = w) fixed (float* px = x) fixed (float* py = y)
        {
            if (kernel == Gemv16.Kernel.Vector512) Run<Gemv16.Lanes512, Vector512<float>>(pw, px, py, rows, inDim, outDim);
            else Run<Gemv16.Lanes256, Vector256<float>>(pw, px, py, rows, inDim, outDim);
        }
    }

    static void Run<TL, TV>(float* w, float* x, float* y, int rows, int inDim, int outDim) where TL : Gemv16.ILanes<TV> where TV : struct
    {
        int chunks = Gemv16.Chunks(inDim, outDim);
        var body = new Chunk<TL, TV> { W = w, X = x, Y = y, Rows = rows, InDim = inDim, OutDim = outDim, Chunks = chunks };
        Workers.For(chunks, ref body);
    }

    /// <summary>Outputs [OutDim·c / Chunks, OutDim·(c + 1) / Chunks) of y for every row.</summary>
    struct Chunk<TL, TV> : IParallelBody where TL : Gemv16.ILanes<TV> where TV : struct
    {
        public float* W, X, Y;
        public int Rows, InDim, OutDim, Chunks;

        public readonly void Run(int c)
        {
            int from = (int)((long)OutDim * c / Chunks), to = (int)((long)OutDim * (c + 1) / Chunks);
            for (int o = from; o < to; o++)
                for (int r = 0; r < Rows; r++)
                    Y[(long)r * OutDim + o] = Dot<TL, TV>(W + (long)o * InDim, X + (long)r * InDim, InDim, prefetch: r == 0);
        }
    }

    // Four vectors per iteration into four accumulators (hiding the FMA latency), then single vectors, then the scalar tail; the
    // same order for every row, so a row's result does not depend on the rows beside it.
    static float Dot<TL, TV>(float* w, float* x, int n, bool prefetch) where TL : Gemv16.ILanes<TV> where TV : struct
    {
        int lanes = TL.Floats, k = 0;
        TV a0 = default, a1 = default, a2 = default, a3 = default;
        for (; k + 4 * lanes <= n; k += 4 * lanes)
        {
            if (prefetch) Gemv16.Prefetch(w + k, 16 * lanes);
            a0 = TL.Fma(TL.Load(w + k), TL.Load(x + k), a0);
            a1 = TL.Fma(TL.Load(w + k + lanes), TL.Load(x + k + lanes), a1);
            a2 = TL.Fma(TL.Load(w + k + 2 * lanes), TL.Load(x + k + 2 * lanes), a2);
            a3 = TL.Fma(TL.Load(w + k + 3 * lanes), TL.Load(x + k + 3 * lanes), a3);
        }
        for (; k + lanes <= n; k += lanes) a0 = TL.Fma(TL.Load(w + k), TL.Load(x + k), a0);
        float s = TL.Sum(TL.Add(TL.Add(a0, a1), TL.Add(a2, a3)));
        for (; k < n; k++) s += w[k] * x[k];
        return s;
    }
}
