using System.Numerics.Tensors;
using LayerSteer.Intervention;
using LayerSteer.Models;

namespace LayerSteer.Inference;

/// <summary>Steering that differs per sequence of one batch: sequence s gets Σ αᵢΔᵢ of its own additions, at the tokens
/// <see cref="SiteAddition.Applies"/> picks for its prompt length, added in the same order as <see cref="SiteAddition"/>
/// adds them, so a steered row computes exactly what it computes alone.</summary>
public sealed class SequenceSteering(IReadOnlyList<IReadOnlyList<Addition>> additions, IReadOnlyList<int> promptLengths) : IActivationHook
{
    public void AtSite(int layer, Span<float> site, RowLayout rows)
    {
        int w = site.Length / Math.Max(1, rows.Rows);
        for (int r = 0; r < rows.Rows; r++)
        {
            int s = rows.Seq[r];
            foreach (var a in additions[s])
                if (a.Layer == layer && SiteAddition.Applies(a.Mode, rows.Pos[r], promptLengths[s]))
                    TensorPrimitives.MultiplyAdd(a.Delta, a.Scale, site.Slice(r * w, w), site.Slice(r * w, w));
        }
    }
}
