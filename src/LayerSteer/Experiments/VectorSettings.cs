using LayerSteer.Intervention;
using LayerSteer.Training;

namespace LayerSteer.Experiments;

/// <summary>Where and how Δ is fitted and applied: layer, tokens it is added at, target loss, optimiser. Defaults: the
/// paper's last prompt token, the mean NLL over all target tokens, <see cref="FitOptions"/>' optimiser settings.</summary>
public sealed record VectorSettings(int Layer, ApplyMode Apply = ApplyMode.Last, TokenReduction Loss = TokenReduction.Mean, FitOptions? Fit = null)
{
    public FitOptions Fit { get; init; } = Fit ?? new FitOptions();

    /// <summary>Every default, at the default layer of a model with <paramref name="layers"/> layers.</summary>
    public static VectorSettings Default(int layers) => new(DefaultLayers.Vector(layers));

    /// <summary>The settings as a cache key: explicit, culture-invariant, one field per setting.</summary>
    public string Key => CacheKey.Of("layer", Layer, "apply", Apply, "loss", Loss, "gamma", Fit.Gamma, "lambda", Fit.Lambda,
        "steps", Fit.Steps, "lr", Fit.Lr, "optimizer", Fit.Optimizer, "tolerance", Fit.Tolerance);
}
