using System.Globalization;
using LayerSteer.Intervention;
using LayerSteer.Tasks;

namespace LayerSteer.Experiments;

/// <summary>Table 4: the task vector fitted without the regulariser (γ = λ = 0) against the regularised fit (the
/// paper's γ = λ = 0.01, or the user's), on the same tasks, seeds and splits; the sparsity rows show what γ, λ buy.</summary>
public static class RegularizationAblation
{
    public const string Name = "regularization";

    /// <summary>Keys of the rows on the summary line, in <see cref="Methods"/> order.</summary>
    public static readonly string[] SummaryKeys = ["unregularized", "regularized"];

    public static Method[] Methods(VectorSettings s)
    {
        float g = s.Fit.Gamma, l = s.Fit.Lambda;
        if (g == 0 && l == 0) throw new LayerSteerException("--ablation regularization compares γ = λ = 0 with a regularised fit: --gamma and --lambda cannot both be 0");
        var inv = CultureInfo.InvariantCulture;
        string reg = g == l ? $"γ=λ={g.ToString(inv)}" : $"γ={g.ToString(inv)}, λ={l.ToString(inv)}";
        return [new Method.Vector(s with { Fit = s.Fit with { Gamma = 0, Lambda = 0 } }, "vector γ=λ=0"), new Method.Vector(s, $"vector {reg}")];
    }
}
