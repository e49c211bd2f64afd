namespace LayerSteer.Intervention;

/// <summary>The default layer ℓ of each kind of intervention, each rule defined once (layers are 0-based).</summary>
public static class DefaultLayers
{
    /// <summary>The task vector Δ (fit, eval, demo, compare, sweep-layers, opinions): the paper's ℓ = 4 of 32 layers,
    /// scaled, round(L/8); half rounds to even (4 layers → 0, 12 → 2, 32 → 4).</summary>
    public static int Vector(int layers) => Math.Clamp((int)Math.Round(layers / 8.0, MidpointRounding.ToEven), 0, layers - 1);

    /// <summary>Function vectors (fv, compare's fv-zero/fv-few): Todd et al.'s layer ≈ L/3, integer division (4 → 1, 32 → 10).</summary>
    public static int FunctionVector(int layers) => layers / 3;

    /// <summary>`bench`'s fit and LoRA rows: ⌊L/4⌋, deeper than the paper's eighth, so the timed step runs the suffix
    /// through three quarters of the layers rather than nearly all of them (on a 4-layer model: layer 1, not 0).</summary>
    public static int Benchmark(int layers) => layers / 4;
}
