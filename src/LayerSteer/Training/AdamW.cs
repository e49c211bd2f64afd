namespace LayerSteer.Training;

/// <summary>AdamW settings for adapter training, with global gradient-norm clipping.</summary>
public sealed record AdamWOptions
{
    public int Steps { get; init; } = 200;
    public float Lr { get; init; } = 1e-3f;
    public float WeightDecay { get; init; } = 0.01f;
    /// <summary>Gradients are rescaled so their global L2 norm is at most this (0 = off).</summary>
    public float ClipNorm { get; init; } = 1f;
    public float Beta1 { get; init; } = Adam.Beta1;
    public float Beta2 { get; init; } = Adam.Beta2;
    public float Eps { get; init; } = Adam.Eps;
}

/// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter) over a set of parameters; one call per step.</summary>
public sealed class AdamW(IReadOnlyList<Parameter> ps, AdamWOptions o)
{
    readonly Adam[] _adam = ps.Select(p => new Adam(p.Value.Length, o.Beta1, o.Beta2)).ToArray();

    /// <summary>The global gradient norm before clipping.</summary>
    public static double GradNorm(IReadOnlyList<Parameter> ps) => Math.Sqrt(ps.Sum(p => p.Grad.Sum(g => (double)g * g)));

    /// <summary>Steps taken, and the first and second moments per parameter (a training checkpoint saves and restores them).</summary>
    public int StepCount
    {
        get => _adam.Length > 0 ? _adam[0].T : 0;
        set { foreach (var a in _adam) a.T = value; }
    }
    public IReadOnlyList<float[]> FirstMoments => _adam.Select(a => a.FirstMoment).ToArray();
    public IReadOnlyList<float[]> SecondMoments => _adam.Select(a => a.SecondMoment).ToArray();

    /// <summary>Clips the gradients, then updates every parameter in place at learning rate <paramref name="lr"/> (default:
    /// the options' rate; a schedule passes its own); returns the gradient norm before clipping.</summary>
    public double Step(float? lr = null)
    {
        double norm = GradNorm(ps);
        float clip = o.ClipNorm > 0 && norm > o.ClipNorm ? (float)(o.ClipNorm / norm) : 1f;
        float rate = lr ?? o.Lr;
        for (int i = 0; i < ps.Count; i++)
        {
            var w = ps[i].Value;
            var (c1, c2) = _adam[i].Update(ps[i].Grad, clip);
            ReadOnlySpan<float> m = _adam[i].M, v = _adam[i].V;
            for (int j = 0; j < w.Length; j++)
                w[j] -= rate * (o.WeightDecay * w[j] + m[j] / c1 / (MathF.Sqrt(v[j] / c2) + o.Eps));
        }
        return norm;
    }
}
