using LayerSteer.Training;

namespace LayerSteer.Intervention;

/// <summary>Which optimiser fits Δ: proximal Adam with the exact sparse-group-lasso prox (exact zeros), or
/// Adam on the subgradient (what a naive port does).</summary>
public enum OptimizerKind { ProxAdam, Adam }

/// <summary>Optimiser settings of the Δ fit: the paper's γ = λ = 0.01; 200 steps at lr 0.1 (the README's runs). Every
/// front end reads its defaults from here.</summary>
public sealed record FitOptions
{
    public float Gamma { get; init; } = 0.01f;
    public float Lambda { get; init; } = 0.01f;
    public int Steps { get; init; } = 200;
    public float Lr { get; init; } = 0.1f;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.ProxAdam;
    /// <summary>Stop when the objective changes by less than this (relative) for 10 consecutive steps.</summary>
    public double Tolerance { get; init; } = 1e-7;
}

/// <summary>One optimisation step's numbers.</summary>
public sealed record FitStep(int Step, double Loss, double Objective, int NonzeroHeads, int NonzeroEntries);

/// <summary>A fitted Δ with its history and support.</summary>
public sealed record FitResult(float[] Delta, double Loss, double Objective, int Steps, string StopReason, int[] NonzeroHeads, int NonzeroEntries, List<FitStep> History)
{
    /// <summary>The task loss at Δ = 0, before the first step.</summary>
    public double InitialLoss => History.Count > 0 ? History[0].Loss : Loss;
}

/// <summary>Minimises mean task loss + γ‖Δ‖₁ + λ Σ_h ‖Δ_h‖₂ from Δ = 0, deterministically.</summary>
public static class Fitter
{
    const int Patience = 10;
    const string Remedy = "Try a smaller --lr; the last good Δ was kept.";

    public static FitResult Fit(SuffixPath path, SparseGroupLasso reg, FitOptions o, Action<FitStep>? progress = null)
    {
        int n = path.Width;
        var delta = new float[n];
        var g = new float[n];
        var eta = new float[n];
        var adam = new Adam(n);
        var history = new List<FitStep>();
        var good = (float[])delta.Clone();   // the last Δ whose loss and gradient were finite
        double prev = double.NaN;
        int calm = 0, step;
        string reason = "max steps";
        for (step = 1; step <= o.Steps; step++)
        {
            double loss = path.Evaluate(delta, g);
            if (Divergence.Problem(loss, g) is string why) throw new FitDivergedException("fit", step, why, good, Remedy);
            delta.CopyTo(good, 0);
            double obj = loss + reg.Value(delta);
            var (heads, entries) = reg.Support(delta);
            var rec = new FitStep(step - 1, loss, obj, heads.Length, entries);
            history.Add(rec);
            progress?.Invoke(rec);
            calm = Math.Abs(obj - prev) <= o.Tolerance * Math.Max(1, Math.Abs(obj)) ? calm + 1 : 0;
            if (calm >= Patience) { reason = "converged"; break; }
            prev = obj;

            if (o.Optimizer == OptimizerKind.Adam) reg.AddSubgradient(delta, g);
            var (c1, c2) = adam.Update(g);
            ReadOnlySpan<float> m = adam.M, v = adam.V;
            for (int i = 0; i < n; i++)
            {
                eta[i] = o.Lr / (MathF.Sqrt(v[i] / c2) + Adam.Eps);     // Adam's per-entry step
                delta[i] -= eta[i] * m[i] / c1;
            }
            if (o.Optimizer == OptimizerKind.ProxAdam) reg.Prox(delta, eta);   // the exact prox in Adam's metric
            if (Divergence.Problem(0, delta) is not null) throw new FitDivergedException("fit", step, "Δ became non-finite", good, Remedy);
        }
        double finalLoss = path.Evaluate(delta, null);
        if (!double.IsFinite(finalLoss)) throw new FitDivergedException("fit", step, $"the final loss is {finalLoss}", good, Remedy);
        var (h, e) = reg.Support(delta);
        return new FitResult(delta, finalLoss, finalLoss + reg.Value(delta), Math.Min(step, o.Steps), reason, h, e, history);
    }
}
