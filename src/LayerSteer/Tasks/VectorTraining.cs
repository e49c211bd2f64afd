using System.Globalization;
using System.Text.Json;
using LayerSteer.Intervention;
using LayerSteer.Models;

namespace LayerSteer.Tasks;

/// <summary>Where and how Δ is fitted and applied: layer, tokens it is added at, target loss, optimiser.</summary>
public sealed record VectorSettings(int Layer, ApplyMode Apply, TokenReduction Loss, FitOptions Fit)
{
    /// <summary>The paper's ℓ = 4 of 32 layers, scaled: round(L/8).</summary>
    /// <remarks>Half rounds to even: 4 layers → 0, 12 → 2, 32 → 4.</remarks>
    public static int DefaultLayer(int layers) => Math.Clamp((int)Math.Round(layers / 8.0, MidpointRounding.ToEven), 0, layers - 1);
}

/// <summary>Fits a task vector on training pairs: the suffix-path objective with the sparse group lasso.</summary>
public static class VectorTraining
{
    public static FitResult Fit(Transformer model, TaskEncoder encoder, IReadOnlyList<Pair> train, VectorSettings s, Action<FitStep>? progress = null)
    {
        var path = new SuffixPath(model, s.Layer, train.Select(encoder.Example).ToArray(), s.Apply, new TaskLoss.Nll(s.Loss));
        return Fitter.Fit(path, new SparseGroupLasso(s.Fit.Gamma, s.Fit.Lambda, model.Config.HeadDim), s.Fit, progress);
    }

    /// <summary>The vector file for a fit: Δ plus everything needed to reproduce and to check it.</summary>
    public static SteeringVector ToVector(Transformer model, TaskPairs task, PromptTemplate template, TaskSplit split, VectorSettings s, FitResult r)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = SteeringVector.BaseMetadata(model, s.Layer, s.Apply);
        md["task"] = task.Name;
        md["template"] = template.Name;
        md["loss"] = s.Loss == TokenReduction.First ? "first" : "full";
        md["gamma"] = s.Fit.Gamma.ToString("R", inv);
        md["lambda"] = s.Fit.Lambda.ToString("R", inv);
        md["optimizer"] = s.Fit.Optimizer == OptimizerKind.Adam ? "adam" : "prox-adam";
        md["steps"] = r.Steps.ToString(inv);
        md["lr"] = s.Fit.Lr.ToString("R", inv);
        md["seed"] = split.Seed.ToString(inv);
        md["train_ids"] = JsonSerializer.Serialize(split.Train.Select(p => Array.IndexOf(task.Pairs, p)));
        md["train_inputs"] = JsonSerializer.Serialize(split.Train.Select(p => p.Input));
        md["final_loss"] = r.Loss.ToString("R", inv);
        md["nonzero_heads"] = JsonSerializer.Serialize(r.NonzeroHeads);
        md["nonzero_entries"] = r.NonzeroEntries.ToString(inv);
        return new SteeringVector(r.Delta, md);
    }
}
