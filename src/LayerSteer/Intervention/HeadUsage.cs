namespace LayerSteer.Intervention;

/// <summary>One head's share of Δ: its L2 norm and nonzero entries (of <paramref name="Width"/>).</summary>
public sealed record HeadNorm(int Head, double Norm, int Nonzero, int Width);

/// <summary>Which heads a Δ uses (the paper's Fig. 2): |Δ| per head × dimension and the nonzero heads.</summary>
public sealed record HeadUsage(float[][] Magnitudes, HeadNorm[] Used, int Heads)
{
    /// <summary>Splits Δ into heads of width <paramref name="headDim"/> (from the vector's header).</summary>
    public static HeadUsage Of(SteeringVector v, string path)
    {
        if (v.Header.HeadDim is not int d || d <= 0 || v.Delta.Length % d != 0)
            throw LayerSteerException.InFile(path, "metadata \"head_dim\" is missing or does not divide the site width");
        var (support, _) = SparseGroupLasso.SupportOf(v.Delta, d);
        var mags = Enumerable.Range(0, v.Delta.Length / d).Select(h => v.Delta.AsSpan(h * d, d).ToArray().Select(MathF.Abs).ToArray()).ToArray();
        var used = support.Select(h => new HeadNorm(h, Math.Sqrt(mags[h].Sum(x => (double)x * x)), mags[h].Count(x => x != 0), d)).ToArray();
        return new HeadUsage(mags, used, mags.Length);
    }
}
