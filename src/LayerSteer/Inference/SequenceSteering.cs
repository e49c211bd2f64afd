using System.Numerics.Tensors;
using LayerSteer.Intervention;
using LayerSteer.Models;

namespace LayerSteer.Inference;

/// <summary>Steering that differs per sequence of one batch: sequence s gets Σ αᵢΔᵢ of its own additions, each at its site (the
/// o_proj input, or the residual stream after its layer) and at the tokens <see cref="SiteAddition.Applies"/> picks for its
/// prompt length, added in the same order as <see cref="SiteAddition"/> adds them, so a steered row computes exactly what it
/// computes alone.</summary>
public sealed class SequenceSteering(IReadOnlyList<IReadOnlyList<Addition>> additions, IReadOnlyList<int> promptLengths) : IActivationHook
{
    public void AtSite(int layer, Span<float> site, RowLayout rows) => Add(VectorSite.OProjInput, layer, site, rows);

    public void AfterLayer(int layer, Span<float> residual, RowLayout rows) => Add(VectorSite.BlockOutput, layer, residual, rows);

    void Add(VectorSite where, int layer, Span<float> x, RowLayout rows)
    {
        int w = x.Length / Math.Max(1, rows.Rows);
        for (int r = 0; r < rows.Rows; r++)
        {
            int s = rows.Seq[r];
            foreach (var a in additions[s])
                if (a.Layer == layer && a.Site == where && SiteAddition.Applies(a.Mode, rows.Pos[r], promptLengths[s]))
                    TensorPrimitives.MultiplyAdd(a.Delta, a.Scale, x.Slice(r * w, w), x.Slice(r * w, w));
        }
    }
}
