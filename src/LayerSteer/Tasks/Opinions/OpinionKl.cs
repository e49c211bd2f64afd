namespace LayerSteer.Tasks.Opinions;

/// <summary>KL(p_model ‖ π_group) over the option letters: the OpinionQA metric and the fit's task loss (direction as in DESIGN.md).</summary>
/// <remarks>
/// p_model is the next-token distribution restricted to the option-letter tokens and renormalised, i.e. the softmax of
/// the gathered logits z (logits and log-probs differ by a constant per position, so either may be gathered).
/// π may have zeros (no respondent chose an option), where KL(p ‖ π) would be infinite; π is smoothed to
/// π̃ = (π + ε) / (1 + Kε) with ε = 1e-6, so mass on such an option costs about log(1/ε) ≈ 13.8 nats per unit instead.
/// p_j = 0 terms contribute 0 (0·log 0 = 0).
/// </remarks>
public static class OpinionKl
{
    public const double Epsilon = 1e-6;

    /// <summary>The restricted logits z: the scores of the option-letter tokens, in option order.</summary>
    public static double[] Gather(ReadOnlySpan<float> vocabScores, IReadOnlyList<int> letterIds)
    {
        var z = new double[letterIds.Count];
        for (int k = 0; k < z.Length; k++) z[k] = vocabScores[letterIds[k]];
        return z;
    }

    /// <summary>p_model: softmax over the option letters of a next-token score vector (logits or log-probs over the vocab).</summary>
    public static double[] Restrict(ReadOnlySpan<float> vocabScores, IReadOnlyList<int> letterIds) =>
        LogSoftmax(Gather(vocabScores, letterIds)).Select(Math.Exp).ToArray();

    /// <summary>π̃ = (π + ε) / (1 + Kε).</summary>
    public static double[] Smooth(ReadOnlySpan<double> pi)
    {
        var s = new double[pi.Length];
        for (int k = 0; k < s.Length; k++) s[k] = (pi[k] + Epsilon) / (1 + pi.Length * Epsilon);
        return s;
    }

    /// <summary>KL(p ‖ π̃) = Σ_j p_j log(p_j / π̃_j) in nats.</summary>
    public static double Kl(ReadOnlySpan<double> p, ReadOnlySpan<double> pi)
    {
        SameLength(p.Length, pi.Length);
        double[] t = Smooth(pi);
        double kl = 0;
        for (int j = 0; j < p.Length; j++) if (p[j] > 0) kl += p[j] * Math.Log(p[j] / t[j]);
        return kl;
    }

    /// <summary>Mean KL(p ‖ π̃) over questions (the paper's OpinionQA score, lower is better).</summary>
    public static double MeanKl(IEnumerable<(double[] P, double[] Pi)> questions)
    {
        var kls = questions.Select(q => Kl(q.P, q.Pi)).ToList();
        return kls.Count > 0 ? kls.Average() : throw new ArgumentException("mean KL over no questions");
    }

    /// <summary>The task loss KL(softmax(z) ‖ π̃) and its gradient with respect to the restricted logits z.</summary>
    /// <remarks>
    /// With p = softmax(z) and a_j = log p_j − log π̃_j, KL = Σ_j p_j a_j, ∂KL/∂p_j = a_j + 1 and
    /// ∂p_j/∂z_k = p_j (δ_jk − p_k), so ∂KL/∂z_k = p_k (a_k + 1) − p_k Σ_j p_j (a_j + 1) = p_k (a_k − KL).
    /// The gradient with respect to the full vocab logits is this at the letter ids and 0 elsewhere.
    /// </remarks>
    public static double ValueAndGradient(ReadOnlySpan<double> z, ReadOnlySpan<double> pi, Span<double> grad)
    {
        SameLength(z.Length, pi.Length);
        SameLength(z.Length, grad.Length);
        double[] logP = LogSoftmax(z);
        double[] p = logP.Select(Math.Exp).ToArray();
        double kl = Kl(p, pi);
        double[] t = Smooth(pi);
        for (int k = 0; k < z.Length; k++) grad[k] = p[k] * (logP[k] - Math.Log(t[k]) - kl);
        return kl;
    }

    /// <summary>log softmax(z), shifted by max z so large logits do not overflow.</summary>
    static double[] LogSoftmax(ReadOnlySpan<double> z)
    {
        double max = double.NegativeInfinity;
        foreach (double v in z) max = Math.Max(max, v);
        double sum = 0;
        foreach (double v in z) sum += Math.Exp(v - max);
        double lse = max + Math.Log(sum);
        var r = new double[z.Length];
        for (int k = 0; k < r.Length; k++) r[k] = z[k] - lse;
        return r;
    }

    static void SameLength(int a, int b)
    {
        if (a != b) throw new ArgumentException($"lengths differ: {a} options vs {b}");
    }
}
