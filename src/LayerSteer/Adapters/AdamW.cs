namespace LayerSteer.Adapters;

/// <summary>AdamW settings for adapter training, with global gradient-norm clipping.</summary>
public sealed record AdamWOptions
{
    public int Steps { get; init; } = 200;
    public float Lr { get; init; } = 1e-3f;
    public float WeightDecay { get; init; } = 0.01f;
    /// <summary>Gradients are rescaled so their global L2 norm is at most this (0 = off).</summary>
    public float ClipNorm { get; init; } = 1f;
    public float Beta1 { get; init; } = 0.9f;
    public float Beta2 { get; init; } = 0.999f;
    public float Eps { get; init; } = 1e-8f;
}

/// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter) over a set of parameters; one call per step.</summary>
public sealed class AdamW(IReadOnlyList<Parameter> ps, AdamWOptions o)
{
    readonly float[][] _m = ps.Select(p => new float[p.Value.Length]).ToArray();
    readonly float[][] _v = ps.Select(p => new float[p.Value.Length]).ToArray();
    int _t;

    /// <summary>The global gradient norm before clipping.</summary>
    public static double GradNorm(IReadOnlyList<Parameter> ps) => Math.Sqrt(ps.Sum(p => p.Grad.Sum(g => (double)g * g)));

    /// <summary>Steps taken, and the first and second moments per parameter (a training checkpoint saves and restores them).</summary>
    public int StepCount { get => _t; set => _t = value; }
    public IReadOnlyList<float[]> FirstMoments => _m;
    public IReadOnlyList<float[]> SecondMoments => _v;

    /// <summary>Clips the gradients, then updates every parameter in place at <paramref name="lr"/> (a schedule's value; default
    /// the options' Lr); returns the gradient norm before clipping.</summary>
    public double Step(float? lr = null)
    {
        float rate = lr ?? o.Lr;
        _t++;
        double norm = GradNorm(ps);
        float clip = o.ClipNorm > 0 && norm > o.ClipNorm ? (float)(o.ClipNorm / norm) : 1f;
        float c1 = 1 - MathF.Pow(o.Beta1, _t), c2 = 1 - MathF.Pow(o.Beta2, _t);
        for (int i = 0; i < ps.Count; i++)
        {
            var (w, g, m, v) = (ps[i].Value, ps[i].Grad, _m[i], _v[i]);
            for (int j = 0; j < w.Length; j++)
            {
                float gj = g[j] * clip;
                m[j] = o.Beta1 * m[j] + (1 - o.Beta1) * gj;
                v[j] = o.Beta2 * v[j] + (1 - o.Beta2) * gj * gj;
                w[j] -= rate * (o.WeightDecay * w[j] + m[j] / c1 / (MathF.Sqrt(v[j] / c2) + o.Eps));
            }
        }
        return norm;
    }
}
