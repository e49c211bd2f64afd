using System.Numerics.Tensors;
using LayerSteer.Models;

namespace LayerSteer.Intervention;

/// <summary>Where along the sequence Δ is added: the paper adds it at the last prompt token only; <see cref="All"/> also
/// at every generated (or teacher-forced target) token; <see cref="Every"/> at every position, prompt included (what
/// llama.cpp and repeng do with a control vector).</summary>
public enum ApplyMode { Last, All, Every }

/// <summary>The command-line and file names of <see cref="ApplyMode"/>: "last", "all", "every".</summary>
public static class ApplyModes
{
    public static readonly string[] Names = ["last", "all", "every"];

    public static string Name(ApplyMode m) => Names[(int)m];

    /// <summary>The mode called <paramref name="name"/>, or null for an unknown name.</summary>
    public static ApplyMode? TryParse(string? name) => Array.IndexOf(Names, name) is int i and >= 0 ? (ApplyMode)i : null;
}

/// <summary>One Δ to add: at which layer and site, scaled by α, at which tokens.</summary>
public sealed record Addition(int Layer, float[] Delta, float Scale, ApplyMode Mode, VectorSite Site = VectorSite.OProjInput);

/// <summary>Adds Σ αᵢΔᵢ to the sites of their layers — the o_proj input, or the residual stream after the layer — at the
/// last prompt token of each sequence (<see cref="ApplyMode.All"/>: and every later token; <see cref="ApplyMode.Every"/>:
/// every token): inference with one or several composed vectors.</summary>
public sealed class SiteAddition(IReadOnlyList<Addition> additions, IReadOnlyList<int> promptLengths) : IActivationHook
{
    public SiteAddition(int layer, float[] delta, ApplyMode mode, IReadOnlyList<int> promptLengths)
        : this([new Addition(layer, delta, 1f, mode)], promptLengths) { }

    /// <summary>Whether Δ goes at absolute position <paramref name="pos"/> of a sequence whose prompt has
    /// <paramref name="promptLength"/> tokens: the last prompt token, (All) every later token, (Every) any token.</summary>
    public static bool Applies(ApplyMode mode, int pos, int promptLength) =>
        mode == ApplyMode.Every || pos == promptLength - 1 || (mode == ApplyMode.All && pos >= promptLength);

    public void AtSite(int layer, Span<float> site, RowLayout rows) => Add(VectorSite.OProjInput, layer, site, rows);

    public void AfterLayer(int layer, Span<float> residual, RowLayout rows) => Add(VectorSite.BlockOutput, layer, residual, rows);

    void Add(VectorSite where, int layer, Span<float> x, RowLayout rows)
    {
        foreach (var a in additions)
        {
            if (a.Layer != layer || a.Site != where) continue;
            int w = a.Delta.Length;
            for (int r = 0; r < rows.Rows; r++)
                if (Applies(a.Mode, rows.Pos[r], promptLengths[rows.Seq[r]]))
                    TensorPrimitives.MultiplyAdd(a.Delta, a.Scale, x.Slice(r * w, w), x.Slice(r * w, w));
        }
    }
}
