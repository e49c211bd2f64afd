using System.Numerics.Tensors;
using LayerSteer.Models;

namespace LayerSteer.Intervention;

/// <summary>Where along the sequence Δ is added: the paper adds it at the last prompt token only;
/// <see cref="All"/> also adds it at every generated (or teacher-forced target) token.</summary>
public enum ApplyMode { Last, All }

/// <summary>Adds Σ αᵢΔᵢ to the site (o_proj input) of one layer at the last prompt token of each sequence
/// (and, in <see cref="ApplyMode.All"/>, at every later token).</summary>
public sealed class SiteAddition(int layer, float[] delta, ApplyMode mode, IReadOnlyList<int> promptLengths) : IActivationHook
{
    public int Layer => layer;

    public void AtSite(int l, Span<float> site, RowLayout rows)
    {
        if (l != layer) return;
        int w = delta.Length;
        for (int r = 0; r < rows.Rows; r++)
        {
            int last = promptLengths[rows.Seq[r]] - 1, pos = rows.Pos[r];
            if (pos == last || (mode == ApplyMode.All && pos > last))
                TensorPrimitives.Add(site.Slice(r * w, w), delta, site.Slice(r * w, w));
        }
    }
}
