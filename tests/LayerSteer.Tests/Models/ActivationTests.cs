using LayerSteer.Models;

namespace LayerSteer.Tests.Models;

public class ActivationTests
{
    [Fact]
    public void GatedSiluMatchesTheScalarFormulaAtEveryLengthAndMagnitude()
    {
        var rng = new Random(3);
        foreach (int n in new[] { 1, 7, 8, 9, 31, 4864 })
        {
            // Magnitudes from tiny to where exp(−g) overflows or vanishes.
            var g = Enumerable.Range(0, n).Select(i => (float)((rng.NextDouble() - 0.5) * Math.Pow(10, i % 5 - 2))).ToArray();
            if (n > 8) { g[0] = -100f; g[1] = 100f; g[2] = 0f; g[3] = -88.5f; }
            var u = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
            var act = new float[n];
            Activation.GatedSilu(g, u, act);
            for (int i = 0; i < n; i++)
            {
                double expected = g[i] / (1 + Math.Exp(-(double)g[i])) * u[i];
                Assert.True(Math.Abs(act[i] - expected) <= 1e-6 * (1 + Math.Abs(expected)), $"n={n}, g={g[i]}, u={u[i]}: {act[i]} against {expected}");
            }
        }
    }

    [Fact]
    public void GatedSiluGivesAnElementTheSameBitsWhereverItFalls()
    {
        // A row alone (its tail a padded vector) against the same row inside a longer buffer at an unaligned offset.
        var rng = new Random(4);
        var g = Enumerable.Range(0, 45).Select(_ => (float)(rng.NextDouble() * 12 - 6)).ToArray();
        var u = Enumerable.Range(0, 45).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var all = new float[45];
        Activation.GatedSilu(g, u, all);
        var row = new float[13];
        Activation.GatedSilu(g.AsSpan(19, 13), u.AsSpan(19, 13), row);
        Assert.Equal(all.AsSpan(19, 13).ToArray(), row);
    }
}
