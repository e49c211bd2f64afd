using LayerSteer.Tensors;

namespace LayerSteer.Tests.Server;

/// <summary>The scheduler's GEMM: a row's result does not depend on the other rows, its place, or alignment, and it is the product.</summary>
public class RowExactGemmTests
{
    [Theory]
    [InlineData(1, 5, 3)]
    [InlineData(7, 13, 29)]
    [InlineData(16, 130, 192)]
    [InlineData(33, 67, 517)]
    public void EachRowIsBitIdenticalAloneAndCloseToBlas(int m, int n, int k)
    {
        var rng = new Random(m * 1000 + n);
        float[] R(int len) => Enumerable.Range(0, len).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var a = R(m * k);
        var w = R(n * k);
        var packed = RowExactGemm.Pack(w, n, k);
        var batched = new float[m * n];
        RowExactGemm.Multiply(a, packed, batched, m, k, n);
        for (int i = 0; i < m; i++)
        {
            var alone = new float[n];
            RowExactGemm.Multiply(a.AsSpan(i * k, k), packed, alone, 1, k, n);
            Assert.Equal(alone, batched.AsSpan(i * n, n).ToArray());
            var shifted = new float[k + 1];   // the same row at another alignment
            a.AsSpan(i * k, k).CopyTo(shifted.AsSpan(1));
            var moved = new float[n];
            RowExactGemm.Multiply(shifted.AsSpan(1), packed, moved, 1, k, n);
            Assert.Equal(alone, moved);
        }
        var blas = new float[m * n];
        Gemm.Sgemm(false, true, m, n, k, 1f, a, k, w, k, 0f, blas, n);
        for (int i = 0; i < blas.Length; i++) Assert.Equal(blas[i], batched[i], 1e-4f);
    }

    [Fact]
    public void TheFlagRoutesLinearLayersThroughIt()
    {
        var rng = new Random(1);
        var w = Enumerable.Range(0, 40 * 24).Select(_ => (float)rng.NextDouble()).ToArray();
        var bias = Enumerable.Range(0, 40).Select(_ => (float)rng.NextDouble()).ToArray();
        var x = Enumerable.Range(0, 3 * 24).Select(_ => (float)rng.NextDouble()).ToArray();
        var expected = new float[3 * 40];
        RowExactGemm.Multiply(x, RowExactGemm.Pack(w, 40, 24), expected, 3, 24, 40);
        for (int r = 0; r < 3; r++) for (int j = 0; j < 40; j++) expected[r * 40 + j] += bias[j];
        var y = new float[3 * 40];
        Gemm.RowExact = true;
        try { new Linear(w, 40, 24, bias).Forward(x, y, 3); }
        finally { Gemm.RowExact = false; }
        Assert.Equal(expected, y);
    }

    [Theory]
    [InlineData(DType.F32, 1, 5, 3)]
    [InlineData(DType.BF16, 7, 13, 29)]
    [InlineData(DType.F16, 16, 130, 192)]
    [InlineData(DType.BF16, 33, 67, 517)]
    [InlineData(DType.F32, 6, 131, 900)]
    public void StoredWeightsGiveEachRowBitIdenticalAloneAndTheProduct(DType dtype, int m, int n, int k)
    {
        var rng = new Random(m * 1000 + n + (int)dtype);
        float[] R(int len) => Enumerable.Range(0, len).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var a = R(m * k);
        var (bytes, w) = Stored(dtype, R(n * k));
        var batched = new float[m * n];
        RowExactStoredGemm.Multiply(dtype, bytes, a, batched, m, k, n);
        for (int i = 0; i < m; i++)
        {
            var alone = new float[n];
            RowExactStoredGemm.Multiply(dtype, bytes, a.AsSpan(i * k, k), alone, 1, k, n);
            Assert.Equal(alone, batched.AsSpan(i * n, n).ToArray());
            var shifted = new float[k + 1];
            a.AsSpan(i * k, k).CopyTo(shifted.AsSpan(1));
            var moved = new float[n];
            RowExactStoredGemm.Multiply(dtype, bytes, shifted.AsSpan(1), moved, 1, k, n);
            Assert.Equal(alone, moved);
            for (int j = 0; j < n; j++)   // the product of the stored (widened) weights, in double
            {
                double dot = 0;
                for (int p = 0; p < k; p++) dot += (double)a[i * k + p] * w[j * k + p];
                Assert.Equal(dot, batched[i * n + j], 1e-4);
            }
        }
    }

    // The weights in dtype's bytes, and their exact fp32 values (rounded to the format).
    static (byte[] Bytes, float[] Values) Stored(DType dtype, float[] w) => dtype switch
    {
        DType.F32 => (System.Runtime.InteropServices.MemoryMarshal.AsBytes(w.AsSpan()).ToArray(), w),
        DType.BF16 => (w.SelectMany(f => BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(f) >> 16))).ToArray(),
                       w.Select(f => BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(f) & 0xFFFF0000u)).ToArray()),
        _ => (w.SelectMany(f => BitConverter.GetBytes(BitConverter.HalfToUInt16Bits((Half)f))).ToArray(), w.Select(f => (float)(Half)f).ToArray()),
    };
}
