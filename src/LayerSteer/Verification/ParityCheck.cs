using LayerSteer.Intervention;
using LayerSteer.Models;

namespace LayerSteer.Verification;

/// <summary>Errors of one fixture case: max |Δlogit| plain and intervened, argmax agreement, and gradient error.</summary>
public sealed record ParityResult(int Case, double LogitsMaxAbs, double IntervenedMaxAbs, bool ArgmaxAllMatch, double LogitsSumAbs,
    double LossAbs, double? GradMaxRel);

/// <summary>Runs a fixture's cases through a model: the check behind `layersteer parity`.</summary>
public static class ParityCheck
{
    /// <summary>Plain and intervened logits for each case; <paramref name="gradient"/> (when given) returns (loss, dloss/dΔ).</summary>
    public static List<ParityResult> Run(Transformer model, ParityCase[] cases, Func<Transformer, ParityCase, (double Loss, float[] Grad)>? gradient)
    {
        var results = new List<ParityResult>();
        for (int i = 0; i < cases.Length; i++)
        {
            var c = cases[i];
            if (c.LogitsLast.Length != model.Vocab || c.Delta.Length != model.Config.SiteWidth)
                throw new LayerSteerException($"fixture case {i} does not match the model (vocab {c.LogitsLast.Length} vs {model.Vocab}, Δ width {c.Delta.Length} vs site width {model.Config.SiteWidth})");
            var all = model.Forward([c.Ids], [model.NewCache()], allRows: true);
            int v = model.Vocab;
            var last = all.AsSpan((c.Ids.Length - 1) * v, v);
            bool argmaxOk = Enumerable.Range(0, c.Ids.Length).All(p => Inference.Sampler.Argmax(all.AsSpan(p * v, v)) == c.ArgmaxAll[p]);
            double sum = all.Sum(x => (double)x);

            var hook = new SiteAddition(c.Layer, c.Delta, ApplyMode.Last, [c.Ids.Length]);
            var steered = model.Forward([c.Ids], [model.NewCache()], hook);

            double? gradRel = null;
            double lossAbs = double.NaN;
            if (gradient != null)
            {
                var (loss, g) = gradient(model, c);
                lossAbs = Math.Abs(loss - c.Loss);
                double maxRef = c.Grad.Max(x => Math.Abs((double)x));
                gradRel = MaxAbsDiff(g, c.Grad) / Math.Max(maxRef, 1e-30);
            }
            results.Add(new ParityResult(i, MaxAbsDiff(last, c.LogitsLast), MaxAbsDiff(steered, c.LogitsLastIntervened), argmaxOk,
                Math.Abs(sum - c.LogitsAllSum), lossAbs, gradRel));
        }
        return results;
    }

    static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs((double)a[i] - b[i]));
        return m;
    }
}
