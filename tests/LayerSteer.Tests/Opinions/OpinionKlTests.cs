using LayerSteer.Tasks.Opinions;

namespace LayerSteer.Tests.Opinions;

public class OpinionKlTests
{
    [Fact]
    public void RestrictIsSoftmaxOverTheLetterTokensOnly()
    {
        float[] vocab = [5f, MathF.Log(1f), 9f, MathF.Log(3f), -2f];
        double[] p = OpinionKl.Restrict(vocab, [1, 3]);
        Assert.Equal(0.25, p[0], 7); // the scores are floats
        Assert.Equal(0.75, p[1], 7);
        // log-probs over the vocab differ from logits by a constant: same restriction.
        Assert.Equal(p, OpinionKl.Restrict(vocab.Select(v => v - 7.5f).ToArray(), [1, 3]), new ToleranceComparer(1e-6));
        Assert.Equal([(double)MathF.Log(3f), 5.0], OpinionKl.Gather(vocab, [3, 0]));
    }

    [Fact]
    public void KlMatchesHandComputedValues()
    {
        Assert.Equal(0, OpinionKl.Kl([0.3, 0.7], [0.3, 0.7]), 6);
        // KL([0.5, 0.5] ‖ [0.25, 0.75]) = 0.5 ln 2 + 0.5 ln(2/3)
        Assert.Equal(0.5 * Math.Log(2) + 0.5 * Math.Log(2.0 / 3), OpinionKl.Kl([0.5, 0.5], [0.25, 0.75]), 5);
        // π = 0 is finite thanks to ε: mass 0.5 there costs ≈ 0.5 ln(0.5/1e-6).
        double kl = OpinionKl.Kl([0.5, 0.5], [1, 0]);
        Assert.True(double.IsFinite(kl));
        Assert.Equal(0.5 * Math.Log(0.5) + 0.5 * Math.Log(0.5 / 1e-6), kl, 4);
        // p = 0 terms vanish.
        Assert.Equal(Math.Log(1 / 0.4), OpinionKl.Kl([1, 0], [0.4, 0.6]), 5);
        Assert.Equal((0.5 * Math.Log(2) + 0.5 * Math.Log(2.0 / 3)) / 2, OpinionKl.MeanKl([([0.5, 0.5], [0.25, 0.75]), ([0.3, 0.7], [0.3, 0.7])]), 5);
        Assert.Throws<ArgumentException>(() => OpinionKl.Kl([1, 0], [1, 0, 0]));
    }

    [Theory]
    [InlineData(new[] { 0.3, -1.2, 2.0, 0.0 }, new[] { 0.1, 0.2, 0.3, 0.4 })]
    [InlineData(new[] { 4.0, -3.0, 0.5 }, new[] { 0.0, 0.9, 0.1 })]
    [InlineData(new[] { 30.0, 31.5 }, new[] { 1.0, 0.0 })]
    public void GradientMatchesFiniteDifferences(double[] z, double[] pi)
    {
        var grad = new double[z.Length];
        double value = OpinionKl.ValueAndGradient(z, pi, grad);
        Assert.Equal(OpinionKl.Kl(Softmax(z), pi), value, 9);
        const double h = 1e-5;
        for (int k = 0; k < z.Length; k++)
        {
            double[] up = (double[])z.Clone(), down = (double[])z.Clone();
            up[k] += h;
            down[k] -= h;
            double fd = (OpinionKl.Kl(Softmax(up), pi) - OpinionKl.Kl(Softmax(down), pi)) / (2 * h);
            Assert.True(Math.Abs(fd - grad[k]) < 1e-6 * Math.Max(1, Math.Abs(fd)), $"dKL/dz[{k}]: analytic {grad[k]}, finite difference {fd}");
        }
        Assert.Equal(0, grad.Sum(), 9); // softmax is shift-invariant, so the gradient sums to zero
    }

    /// <summary>A plain softmax written independently of the code under test.</summary>
    static double[] Softmax(double[] z)
    {
        double m = z.Max();
        double[] e = z.Select(v => Math.Exp(v - m)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    sealed class ToleranceComparer(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tol;
        public int GetHashCode(double d) => 0;
    }
}
