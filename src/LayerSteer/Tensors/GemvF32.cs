using System.Numerics.Tensors;

namespace LayerSteer.Tensors;

/// <summary>y[rows, Out] = x[rows, In]·Wᵀ for the few rows of a decode step with fp32 W: the outputs split into chunks across the
/// cores (as <see cref="Gemv16"/> does), each output one dot product per row. OpenBLAS's sgemm hands every call to its threads,
/// which costs more than a small model's whole product.</summary>
public static unsafe class GemvF32
{
    /// <summary>Up to this many rows go through the GEMV (the same cut as the 16-bit one).</summary>
    public const int MaxRows = Gemv16.MaxRows;

    public static void Multiply(ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> y, int rows, int inDim, int outDim)
    {
        if (rows < 1 || rows > MaxRows) throw new ArgumentOutOfRangeException(nameof(rows), $"the GEMV takes 1..{MaxRows} rows, got {rows}");
        if (w.Length < (long)outDim * inDim || x.Length < rows * inDim || y.Length < rows * outDim) throw new ArgumentException("a buffer is shorter than its shape");
        fixed (float* pw = w) fixed (float* px = x) fixed (float* py = y)
        {
            int chunks = Gemv16.Chunks(inDim, outDim);
            var body = new Chunk { W = pw, X = px, Y = py, Rows = rows, InDim = inDim, OutDim = outDim, Chunks = chunks };
            Workers.For(chunks, ref body);
        }
    }

    /// <summary>Outputs [OutDim·c / Chunks, OutDim·(c + 1) / Chunks) of y for every row.</summary>
    struct Chunk : IParallelBody
    {
        public float* W, X, Y;
        public int Rows, InDim, OutDim, Chunks;

        public readonly void Run(int c)
        {
            int from = (int)((long)OutDim * c / Chunks), to = (int)((long)OutDim * (c + 1) / Chunks);
            for (int o = from; o < to; o++)
            {
                var wo = new ReadOnlySpan<float>(W + (long)o * InDim, InDim);
                for (int r = 0; r < Rows; r++)
                    Y[(long)r * OutDim + o] = TensorPrimitives.Dot(new ReadOnlySpan<float>(X + (long)r * InDim, InDim), wo);
            }
        }
    }
}
