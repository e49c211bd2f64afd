using LayerSteer.Training;

namespace LayerSteer.Adapters;

/// <summary>The loss before and after training and per step.</summary>
public sealed record AdapterFit(double InitialLoss, double FinalLoss, IReadOnlyList<double> Losses);

/// <summary>Trains an adapter's parameters on the full-sequence task loss with AdamW; deterministic for fixed inputs.</summary>
public static class AdapterTraining
{
    const string Remedy = "Try a smaller learning rate.";

    public static AdapterFit Train(FullSequencePath path, AdamWOptions o, Action<int, double>? progress = null)
    {
        var ps = path.Adapter.Parameters;
        var opt = new AdamW(ps, o);
        var losses = new List<double>();
        for (int step = 0; step < o.Steps; step++)
        {
            double loss = path.Evaluate(withGrad: true);
            if (Divergence.Problem(loss, ps.Select(p => p.Grad).ToArray()) is string why)
                throw new FitDivergedException($"{AdapterKinds.Name(path.Adapter.Kind)} fit", step, why, [], Remedy);
            losses.Add(loss);
            progress?.Invoke(step, loss);
            opt.Step();
        }
        double final = path.Evaluate(withGrad: false);
        if (!double.IsFinite(final)) throw new FitDivergedException($"{AdapterKinds.Name(path.Adapter.Kind)} fit", o.Steps, $"the final loss is {final}", [], Remedy);
        return new AdapterFit(losses.Count > 0 ? losses[0] : final, final, losses);
    }
}
