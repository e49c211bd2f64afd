namespace LayerSteer.Training;

/// <summary>A fit that produced NaN/Inf. Carries the last parameters whose loss and gradient were finite, so the caller
/// can keep them (the Δ fit saves the last good Δ beside its output).</summary>
public sealed class FitDivergedException(string what, int step, string reason, float[] lastGood, string remedy)
    : LayerSteerException($"the {what} diverged at step {step}: {reason}. {remedy}")
{
    public int Step => step;
    public float[] LastGood => lastGood;
}

/// <summary>The one divergence check of every optimiser loop: a non-finite loss or gradient stops the fit.</summary>
public static class Divergence
{
    /// <summary>Why (loss, gradients) cannot be stepped on, or null when all are finite.</summary>
    public static string? Problem(double loss, params float[][] grads)
    {
        if (!double.IsFinite(loss)) return $"the loss is {loss}";
        foreach (var g in grads)
            if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(g)) return "the gradient is not finite";
        return null;
    }
}
