using LayerSteer.Intervention;

namespace LayerSteer.Tests.Intervention;

public class SparseGroupLassoTests
{
    [Fact]
    public void UniformStepProxIsSoftThresholdThenHeadShrink()
    {
        var reg = new SparseGroupLasso(gamma: 0.5f, lambda: 1.0f, headDim: 3);
        float[] z = [2f, -0.3f, 1f, 0.2f, -0.1f, 0.4f];
        float[] eta = [1f, 1f, 1f, 1f, 1f, 1f];
        reg.Prox(z, eta);
        // head 0: soft-threshold → [1.5, 0, 0.5], norm √2.5, shrink by (1 − 1/√2.5); head 1 → [0, 0, 0] (all below γ).
        double k = 1 - 1 / Math.Sqrt(2.5);
        Assert.Equal(1.5 * k, z[0], 1e-5);
        Assert.Equal(0f, z[1]);
        Assert.Equal(0.5 * k, z[2], 1e-5);
        Assert.Equal([0f, 0f, 0f], z[3..]);
    }

    [Fact]
    public void DiagonalMetricProxSatisfiesOptimality()
    {
        // x = prox(z): for nonzero x, (x − u)/η + λ x/‖x‖ = 0 where u is the soft-thresholded z.
        var reg = new SparseGroupLasso(gamma: 0.1f, lambda: 0.3f, headDim: 4);
        float[] z = [1.2f, -0.7f, 0.05f, 2.0f];
        float[] eta = [0.5f, 2f, 1f, 0.1f];
        var x = (float[])z.Clone();
        reg.Prox(x, eta);
        double norm = Math.Sqrt(x.Sum(v => (double)v * v));
        Assert.True(norm > 0);
        for (int i = 0; i < 4; i++)
        {
            double u = Math.Sign(z[i]) * Math.Max(Math.Abs(z[i]) - eta[i] * 0.1, 0);
            if (u == 0) { Assert.Equal(0f, x[i]); continue; }
            Assert.Equal(0, (x[i] - u) / eta[i] + 0.3 * x[i] / norm, 1e-4);
        }
    }

    [Fact]
    public void HeadIsZeroExactlyWhenScaledNormIsWithinLambda()
    {
        var reg = new SparseGroupLasso(gamma: 0f, lambda: 1f, headDim: 2);
        float[] small = [0.3f, 0.4f];          // ‖z/η‖ = 0.5 ≤ 1 → zero
        reg.Prox(small, [1f, 1f]);
        Assert.Equal([0f, 0f], small);
        float[] big = [0.3f, 0.4f];            // η = 0.25 → ‖z/η‖ = 2 > 1 → survives
        reg.Prox(big, [0.25f, 0.25f]);
        Assert.True(big[0] > 0 && big[1] > 0);
    }

    [Fact]
    public void ValueAndSupport()
    {
        var reg = new SparseGroupLasso(0.5f, 2f, 2);
        float[] d = [3f, 4f, 0f, 0f, 0f, -1f];
        Assert.Equal(0.5 * 8 + 2 * (5 + 0 + 1), reg.Value(d), 1e-9);
        var (heads, entries) = reg.Support(d);
        Assert.Equal([0, 2], heads);
        Assert.Equal(3, entries);
    }
}
