namespace LayerSteer.Intervention;

/// <summary>The regulariser γ‖Δ‖₁ + λ Σ_h ‖Δ_h‖₂ over heads h (contiguous blocks of the site of width headDim):
/// its value, a subgradient, and its exact proximal map in a diagonal metric.</summary>
public sealed class SparseGroupLasso(float gamma, float lambda, int headDim)
{
    public float Gamma => gamma;
    public float Lambda => lambda;
    public int HeadDim => headDim;

    /// <summary>The regulariser of a fit at <paramref name="site"/> of <paramref name="model"/> (groups of <see cref="VectorSites.GroupWidth"/>).</summary>
    public static SparseGroupLasso For(Models.Transformer model, FitOptions o, VectorSite site = VectorSite.OProjInput) =>
        new(o.Gamma, o.Lambda, VectorSites.GroupWidth(model, site));


    public double Value(ReadOnlySpan<float> d)
    {
        double l1 = 0, groups = 0;
        for (int h = 0; h < d.Length / headDim; h++)
        {
            double sq = 0;
            foreach (float v in d.Slice(h * headDim, headDim)) { l1 += Math.Abs(v); sq += (double)v * v; }
            groups += Math.Sqrt(sq);
        }
        return gamma * l1 + lambda * groups;
    }

    /// <summary>g += a subgradient of the regulariser (0 where Δ or a whole head is 0): what plain Adam follows.</summary>
    public void AddSubgradient(ReadOnlySpan<float> d, Span<float> g)
    {
        for (int h = 0; h < d.Length / headDim; h++)
        {
            var dh = d.Slice(h * headDim, headDim);
            double norm = Math.Sqrt(dh.ToArray().Sum(v => (double)v * v));
            for (int i = 0; i < headDim; i++)
            {
                int j = h * headDim + i;
                g[j] += gamma * Math.Sign(dh[i]) + (norm > 0 ? (float)(lambda * dh[i] / norm) : 0f);
            }
        }
    }

    /// <summary>Δ ← argmin_x Σᵢ (xᵢ − zᵢ)²/(2ηᵢ) + R(x), in place: soft-threshold each entry by ηᵢγ, then shrink each head.
    /// With per-entry steps ηᵢ (Adam's metric) the head shrink solves a 1-D equation; with equal ηᵢ it is the familiar
    /// max(0, 1 − ηλ/‖u_h‖)·u_h. An entry stays 0 exactly when its gradient is within γ (the optimality condition).</summary>
    public void Prox(Span<float> z, ReadOnlySpan<float> eta)
    {
        for (int j = 0; j < z.Length; j++)
        {
            float t = eta[j] * gamma, a = Math.Abs(z[j]);
            z[j] = a <= t ? 0f : MathF.CopySign(a - t, z[j]);
        }
        if (lambda == 0) return;
        for (int h = 0; h < z.Length / headDim; h++) ShrinkHead(z.Slice(h * headDim, headDim), eta.Slice(h * headDim, headDim));
    }

    // min_x Σ (x_i − u_i)²/(2η_i) + λ‖x‖: x = 0 iff ‖u/η‖ ≤ λ; else x_i = u_i·t/(t + λη_i) where t = ‖x‖ is the root of
    // ψ(t) = Σ (u_i/(t + λη_i))² − 1, decreasing on (0, ‖u‖] with ψ(0⁺) > 0 > ψ(‖u‖): bisection converges.
    void ShrinkHead(Span<float> u, ReadOnlySpan<float> eta)
    {
        double zeroTest = 0, norm = 0;
        for (int i = 0; i < u.Length; i++) { double r = u[i] / eta[i]; zeroTest += r * r; norm += (double)u[i] * u[i]; }
        if (Math.Sqrt(zeroTest) <= lambda) { u.Clear(); return; }
        double lo = 0, hi = Math.Sqrt(norm);
        for (int it = 0; it < 100 && hi - lo > 1e-12 * hi; it++)
        {
            double t = 0.5 * (lo + hi), psi = -1;
            for (int i = 0; i < u.Length; i++) { double r = u[i] / (t + lambda * eta[i]); psi += r * r; }
            if (psi > 0) lo = t; else hi = t;
        }
        double tt = 0.5 * (lo + hi);
        for (int i = 0; i < u.Length; i++) u[i] = (float)(u[i] * tt / (tt + lambda * eta[i]));
    }

    /// <summary>Indices of heads with any nonzero entry, and the count of nonzero entries.</summary>
    public (int[] Heads, int Entries) Support(ReadOnlySpan<float> d) => SupportOf(d, headDim);

    /// <summary>The support of Δ split into heads of width <paramref name="headDim"/> (it does not depend on γ, λ).</summary>
    public static (int[] Heads, int Entries) SupportOf(ReadOnlySpan<float> d, int headDim)
    {
        var heads = new List<int>();
        int entries = 0;
        for (int h = 0; h < d.Length / headDim; h++)
        {
            int nz = 0;
            foreach (float v in d.Slice(h * headDim, headDim)) if (v != 0) nz++;
            if (nz > 0) heads.Add(h);
            entries += nz;
        }
        return (heads.ToArray(), entries);
    }
}
