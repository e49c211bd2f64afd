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
}
