using System.Numerics.Tensors;
using LayerSteer.Models;

namespace LayerSteer.Intervention;

/// <summary>Where along the sequence Δ is added: the paper adds it at the last prompt token only;
/// <see cref="All"/> also adds it at every generated (or teacher-forced target) token.</summary>
public enum ApplyMode { Last, All }

/// <summary>One Δ to add: at which layer's site, scaled by α, at which tokens.</summary>
public sealed record Addition(int Layer, float[] Delta, float Scale, ApplyMode Mode);

/// <summary>Adds Σ αᵢΔᵢ to the sites (o_proj inputs) of their layers at the last prompt token of each sequence
/// (and, for <see cref="ApplyMode.All"/>, at every later token): inference with one or several composed vectors.</summary>
public sealed class SiteAddition(IReadOnlyList<Addition> additions, IReadOnlyList<int> promptLengths) : IActivationHook
{
    public SiteAddition(int layer, float[] delta, ApplyMode mode, IReadOnlyList<int> promptLengths)
        : this([new Addition(layer, delta, 1f, mode)], promptLengths) { }

    /// <summary>Whether Δ goes at absolute position <paramref name="pos"/> of a sequence whose prompt has
    /// <paramref name="promptLength"/> tokens: the last prompt token, and (All) every later token.</summary>
    public static bool Applies(ApplyMode mode, int pos, int promptLength) =>
        pos == promptLength - 1 || (mode == ApplyMode.All && pos >= promptLength);

    public void AtSite(int layer, Span<float> site, RowLayout rows)
    {
        foreach (var a in additions)
        {
            if (a.Layer != layer) continue;
            int w = a.Delta.Length;
            for (int r = 0; r < rows.Rows; r++)
                if (Applies(a.Mode, rows.Pos[r], promptLengths[rows.Seq[r]]))
                    TensorPrimitives.MultiplyAdd(a.Delta, a.Scale, site.Slice(r * w, w), site.Slice(r * w, w));
        }
    }
}
