namespace LayerSteer.Intervention;

/// <summary>Which optimiser fits Δ: proximal Adam with the exact sparse-group-lasso prox (exact zeros), or
/// Adam on the subgradient (what a naive port does).</summary>
public enum OptimizerKind { ProxAdam, Adam }

/// <summary>Optimiser settings; defaults are the paper's γ = λ = 0.01.</summary>
public sealed record FitOptions
{
    public float Gamma { get; init; } = 0.01f;
    public float Lambda { get; init; } = 0.01f;
    public int Steps { get; init; } = 200;
    public float Lr { get; init; } = 0.05f;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.ProxAdam;
    /// <summary>Stop when the objective changes by less than this (relative) for 10 consecutive steps.</summary>
    public double Tolerance { get; init; } = 1e-7;
}

/// <summary>One optimisation step's numbers.</summary>
public sealed record FitStep(int Step, double Loss, double Objective, int NonzeroHeads, int NonzeroEntries);

/// <summary>A fitted Δ with its history and support.</summary>
public sealed record FitResult(float[] Delta, double Loss, double Objective, int Steps, string StopReason, int[] NonzeroHeads, int NonzeroEntries, List<FitStep> History);

/// <summary>A fit that produced NaN/Inf; carries the last finite Δ.</summary>
public sealed class FitDivergedException(int step, float[] lastGood, string what)
    : LayerSteerException($"the fit diverged at step {step}: {what}. Try a smaller --lr; the last good Δ was kept.")
{
    public int Step => step;
    public float[] LastGoodDelta => lastGood;
}

/// <summary>Minimises mean task loss + γ‖Δ‖₁ + λ Σ_h ‖Δ_h‖₂ from Δ = 0, deterministically.</summary>
public static class Fitter
{
    const float Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-8f;
    const int Patience = 10;

    public static FitResult Fit(SuffixPath path, SparseGroupLasso reg, FitOptions o, Action<FitStep>? progress = null)
    {
        int n = path.Width;
        var delta = new float[n];
        var g = new float[n];
        var m = new float[n];
        var v = new float[n];
        var eta = new float[n];
        var history = new List<FitStep>();
        var good = (float[])delta.Clone();   // the last Δ whose loss and gradient were finite
        double prev = double.NaN;
        int calm = 0, step = 0;
        string reason = "max steps";
        for (step = 1; step <= o.Steps; step++)
        {
            double loss = path.Evaluate(delta, g);
            if (!double.IsFinite(loss) || !g.All(float.IsFinite))
                throw new FitDivergedException(step, good, double.IsFinite(loss) ? "the gradient is not finite" : $"the loss is {loss}");
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
            float c1 = 1 - MathF.Pow(Beta1, step), c2 = 1 - MathF.Pow(Beta2, step);
            for (int i = 0; i < n; i++)
            {
                m[i] = Beta1 * m[i] + (1 - Beta1) * g[i];
                v[i] = Beta2 * v[i] + (1 - Beta2) * g[i] * g[i];
                eta[i] = o.Lr / (MathF.Sqrt(v[i] / c2) + Eps);     // Adam's per-entry step
                delta[i] -= eta[i] * m[i] / c1;
            }
            if (o.Optimizer == OptimizerKind.ProxAdam) reg.Prox(delta, eta);
            if (!delta.All(float.IsFinite)) throw new FitDivergedException(step, good, "Δ became non-finite");
        }
        double finalLoss = path.Evaluate(delta, null);
        if (!double.IsFinite(finalLoss)) throw new FitDivergedException(step, good, $"the final loss is {finalLoss}");
        var (h, e) = reg.Support(delta);
        return new FitResult(delta, finalLoss, finalLoss + reg.Value(delta), Math.Min(step, o.Steps), reason, h, e, history);
    }
}
