using LayerSteer.Tensors;

namespace LayerSteer.Tests.Tensors;

public class GemmTests
{
    static float[] Rand(Random r, int n) => Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();

    static float[] Reference(bool ta, bool tb, int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c0)
    {
        var c = (float[])c0.Clone();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (double)(tb ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = (float)(alpha * s + beta * c0[i * n + j]);
            }
        return c;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void NativeAndManagedAgreeWithReference(bool ta, bool tb)
    {
        var r = new Random(1);
        foreach (var (m, n, k) in new[] { (1, 7, 5), (13, 17, 19), (70, 65, 130) })
        {
            var a = Rand(r, m * k); var b = Rand(r, k * n); var c0 = Rand(r, m * n);
            var want = Reference(ta, tb, m, n, k, 0.5f, a, b, 0.25f, c0);
            foreach (bool managed in new[] { false, true })
            {
                var c = (float[])c0.Clone();
                Gemm.ForceManaged = managed;
                try { Gemm.Sgemm(ta, tb, m, n, k, 0.5f, a, ta ? m : k, b, tb ? k : n, 0.25f, c, n); }
                finally { Gemm.ForceManaged = false; }
                for (int i = 0; i < c.Length; i++) Assert.Equal(want[i], c[i], 1e-4f);
            }
        }
    }

    [Fact]
    public void OpenBlasIsUsedWhenInstalled()
    {
        // CI installs libopenblas0-pthread; without it the managed path runs and says why. LAYERSTEER_BLAS=managed chooses the
        // managed path: then it runs without a warning.
        if (Environment.GetEnvironmentVariable("LAYERSTEER_BLAS") == "managed")
        {
            Assert.Equal("managed", Gemm.Backend);
            Assert.True(Gemm.ManagedByChoice);
            Assert.Null(Gemm.Warning);
        }
        else if (File.Exists("/usr/lib/x86_64-linux-gnu/libopenblas.so.0")) Assert.Equal("openblas", Gemm.Backend);
        else Assert.NotNull(Gemm.Warning);
    }

    [Theory]
    [InlineData(Gemv16.Kernel.Vector256)]
    [InlineData(Gemv16.Kernel.Vector512)]
    public void FewRowGemvMatchesTheProductAndEachRowIsIndependentOfTheOthers(Gemv16.Kernel kernel)
    {
        var rng = new Random(3);
        // Below, at and past one and four vectors of either width, with tails; (301, 300) is large enough to split across threads.
        foreach (var (inDim, outDim) in new[] { (1, 3), (15, 7), (16, 1), (33, 5), (64, 2), (100, 3), (301, 300) })
            for (int rows = 1; rows <= GemvF32.MaxRows; rows++)
            {
                var w = Rand(rng, inDim * outDim); var x = Rand(rng, rows * inDim);
                var y = new float[rows * outDim];
                GemvF32.Multiply(w, x, y, rows, inDim, outDim, kernel);
                for (int r = 0; r < rows; r++)
                {
                    var alone = new float[outDim];
                    GemvF32.Multiply(w, x.AsSpan(r * inDim, inDim), alone, 1, inDim, outDim, kernel);
                    for (int o = 0; o < outDim; o++)
                    {
                        double s = 0, mag = 0;
                        for (int k = 0; k < inDim; k++) { s += (double)x[r * inDim + k] * w[o * inDim + k]; mag += Math.Abs((double)x[r * inDim + k] * w[o * inDim + k]); }
                        Assert.True(Math.Abs(y[r * outDim + o] - s) <= 1e-5 * mag, $"{rows}×{inDim}→{outDim}: y[{r}, {o}] = {y[r * outDim + o]}, expected {s}");
                        Assert.Equal(alone[o], y[r * outDim + o]);   // the same dot product, so the same bits
                    }
                }
            }
    }

    [Fact]
    public void FewRowGemvRejectsBadShapes()
    {
        var w = new float[12]; var x = new float[20]; var y = new float[15];
        Assert.Throws<ArgumentOutOfRangeException>(() => GemvF32.Multiply(w, x, y, 0, 4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => GemvF32.Multiply(w, x, y, GemvF32.MaxRows + 1, 4, 3));
        Assert.Throws<ArgumentException>(() => GemvF32.Multiply(w, x, y, 2, 4, 4));      // W is 3×4, not 4×4
        Assert.Throws<ArgumentException>(() => GemvF32.Multiply(w, x, y, 4, 6, 2));      // x holds 20 values, not 24
    }
}
