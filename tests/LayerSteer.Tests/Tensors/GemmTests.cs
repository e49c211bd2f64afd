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
}
