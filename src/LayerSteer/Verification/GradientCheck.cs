using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Training;

namespace LayerSteer.Verification;

/// <summary>The fixture's gradient: Δ at the last prompt position of layer ℓ, loss summed over teacher-forced targets.</summary>
public static class GradientCheck
{
    public static (double Loss, float[] Grad) Compute(Transformer model, ParityCase c)
    {
        var path = new SuffixPath(model, c.Layer, [new Example(c.Ids, c.Targets)], ApplyMode.Last, new TaskLoss.Nll(TokenReduction.Sum));
        var g = new float[model.Config.SiteWidth];
        double loss = path.Evaluate(c.Delta, g);
        return (loss, g);
    }
}
