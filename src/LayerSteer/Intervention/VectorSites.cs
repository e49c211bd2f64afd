using LayerSteer.Models;

namespace LayerSteer.Intervention;

/// <summary>What each <see cref="VectorSite"/> is on a model (its width, the groups of the regulariser) and on the command
/// line ("o-proj-input", "block-output").</summary>
public static class VectorSites
{
    public static readonly string[] CliNames = ["o-proj-input", "block-output"];

    public static string CliName(VectorSite s) => CliNames[(int)s];

    /// <summary>The site called <paramref name="name"/> on the command line, or null for an unknown name.</summary>
    public static VectorSite? TryParse(string? name) => Array.IndexOf(CliNames, name) is int i and >= 0 ? (VectorSite)i : null;

    /// <summary>Entries of a vector at the site: heads × head_dim at the o_proj input, hidden in the residual stream.</summary>
    public static int Width(Transformer model, VectorSite s) => s == VectorSite.OProjInput ? model.Config.SiteWidth : model.Hidden;

    /// <summary>Width of one group of the sparse group lasso: a head at the o_proj input; the residual stream has no heads,
    /// so there the whole vector is one group (λ‖Δ‖₂).</summary>
    public static int GroupWidth(Transformer model, VectorSite s) => s == VectorSite.OProjInput ? model.Config.HeadDim : model.Hidden;
}
