using LayerSteer.Intervention;
using LayerSteer.Training;

namespace LayerSteer.Tasks.Opinions;

/// <summary>L_task = KL(p_model restricted to the option-letter tokens and renormalised ‖ π_group), on the next-token
/// logits after "Answer:" (one scored row per question).</summary>
public sealed class OpinionLoss(IReadOnlyList<int[]> letterIds, IReadOnlyList<double[]> pi) : TaskLoss
{
    public override int ScoredRows(int targetCount) => 1;

    public override double Evaluate(int example, int[] targets, ReadOnlySpan<float> logits, Span<float> dlogits, int vocab)
    {
        var ids = letterIds[example];
        var z = OpinionKl.Gather(logits, ids);
        var g = new double[z.Length];
        double kl = OpinionKl.ValueAndGradient(z, pi[example], g);
        dlogits.Clear();
        for (int k = 0; k < ids.Length; k++) dlogits[ids[k]] = (float)g[k];
        return kl;
    }
}
