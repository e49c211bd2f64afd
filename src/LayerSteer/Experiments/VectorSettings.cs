using LayerSteer.Intervention;
using LayerSteer.Training;

namespace LayerSteer.Experiments;

/// <summary>Where and how Δ is fitted and applied: layer, site, tokens it is added at, target loss, optimiser. Defaults: the
/// paper's o_proj input at the last prompt token, the mean NLL over all target tokens, <see cref="FitOptions"/>' optimiser settings.</summary>
public sealed record VectorSettings(int Layer, ApplyMode Apply = ApplyMode.Last, TokenReduction Loss = TokenReduction.Mean, FitOptions? Fit = null)
{
    public FitOptions Fit { get; init; } = Fit ?? new FitOptions();
    public VectorSite Site { get; init; } = VectorSite.OProjInput;

    /// <summary>Every default, at the default layer of a model with <paramref name="layers"/> layers.</summary>
    public static VectorSettings Default(int layers) => new(DefaultLayers.Vector(layers));

    /// <summary>The settings as a cache key: explicit, culture-invariant, one field per setting. The site is named only
    /// when it is not the paper's, so cells cached before sites existed keep their keys.</summary>
    public string Key => CacheKey.Of("layer", Layer, "apply", Apply, "loss", Loss, "gamma", Fit.Gamma, "lambda", Fit.Lambda,
        "steps", Fit.Steps, "lr", Fit.Lr, "optimizer", Fit.Optimizer, "tolerance", Fit.Tolerance)
        + (Site == VectorSite.OProjInput ? "" : ";" + CacheKey.Of("site", VectorSites.CliName(Site)));

    /// <summary>A Δ fitted with these settings, added where and when they say.</summary>
    public Addition Addition(float[] delta, float scale = 1f) => new(Layer, delta, scale, Apply, Site);
}
