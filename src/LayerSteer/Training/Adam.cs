namespace LayerSteer.Training;

/// <summary>Adam's moment estimates for one flat parameter vector (Kingma &amp; Ba): the core shared by the Δ fit's
/// proximal Adam and the adapters' AdamW, which apply their own update rules from <see cref="M"/>, <see cref="V"/> and
/// the bias corrections.</summary>
public sealed class Adam(int length, float beta1 = Adam.Beta1, float beta2 = Adam.Beta2)
{
    public const float Beta1 = 0.9f, Beta2 = 0.999f, Eps = 1e-8f;

    readonly float[] _m = new float[length], _v = new float[length];

    /// <summary>First and second moments.</summary>
    public ReadOnlySpan<float> M => _m;
    public ReadOnlySpan<float> V => _v;

    /// <summary>The moment buffers themselves, for a checkpoint to save and restore.</summary>
    public float[] FirstMoment => _m;
    public float[] SecondMoment => _v;

    /// <summary>Steps taken so far (t in the bias corrections); a restored checkpoint sets it.</summary>
    public int T { get; set; }

    /// <summary>Folds gradient g (times <paramref name="gradScale"/>, e.g. a clipping factor) into the moments and returns
    /// the bias corrections (1 − β₁ᵗ, 1 − β₂ᵗ): m̂ = m / c1, v̂ = v / c2.</summary>
    public (float C1, float C2) Update(ReadOnlySpan<float> g, float gradScale = 1f)
    {
        T++;
        for (int i = 0; i < _m.Length; i++)
        {
            float gi = g[i] * gradScale;
            _m[i] = beta1 * _m[i] + (1 - beta1) * gi;
            _v[i] = beta2 * _v[i] + (1 - beta2) * gi * gi;
        }
        return (1 - MathF.Pow(beta1, T), 1 - MathF.Pow(beta2, T));
    }
}
