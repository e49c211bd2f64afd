using System.Diagnostics;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tasks;
using LayerSteer.Training;

namespace LayerSteer.Experiments;

/// <summary>Fits a task vector on training pairs (the suffix-path objective with the sparse group lasso) and makes its
/// vector file.</summary>
public static class VectorTraining
{
    public static FitResult Fit(Transformer model, TaskEncoder encoder, IReadOnlyList<Pair> train, VectorSettings s, Action<FitStep>? progress = null)
    {
        var path = new SuffixPath(model, s.Layer, train.Select(encoder.Example).ToArray(), s.Apply, new TaskLoss.Nll(s.Loss), site: s.Site);
        return Fitter.Fit(path, SparseGroupLasso.For(model, s.Fit, s.Site), s.Fit, progress);
    }

    /// <summary>Fits on the split's training pairs and writes the vector file to <paramref name="outPath"/>; if the fit
    /// diverges, the last good Δ is written beside it (<c>.lastgood.safetensors</c>) and the error says so.</summary>
    public static (FitResult Fit, TimeSpan Elapsed) FitAndSave(Transformer model, TaskEncoder encoder, TaskPairs task, TaskSplit split, VectorSettings s,
        string outPath, Action<FitStep>? progress = null)
    {
        var sw = Stopwatch.StartNew();
        FitResult result;
        try { result = Fit(model, encoder, split.Train, s, progress); }
        catch (FitDivergedException e)
        {
            string keep = Path.ChangeExtension(outPath, ".lastgood.safetensors");
            new SteeringVector(e.LastGood, SteeringVector.BaseHeader(model, s.Layer, s.Apply, s.Site) with { Task = task.Name }).Save(keep);
            throw new LayerSteerException($"{e.Message} Saved to {keep}.");
        }
        ToVector(model, task, encoder.Template, split, s, result).Save(outPath);
        return (result, sw.Elapsed);
    }

    /// <summary>The vector file for a fit: Δ plus everything needed to reproduce and to check it.</summary>
    public static SteeringVector ToVector(Transformer model, TaskPairs task, PromptTemplate template, TaskSplit split, VectorSettings s, FitResult r) =>
        new(r.Delta, SteeringVector.BaseHeader(model, s.Layer, s.Apply, s.Site) with
        {
            Task = task.Name, Template = template.Name, Loss = s.Loss == TokenReduction.First ? "first" : "full",
            Gamma = s.Fit.Gamma, Lambda = s.Fit.Lambda, Optimizer = s.Fit.Optimizer == OptimizerKind.Adam ? "adam" : "prox-adam",
            Steps = r.Steps, Lr = s.Fit.Lr, Seed = split.Seed,
            TrainIds = split.Train.Select(p => Array.IndexOf(task.Pairs, p)).ToArray(), TrainInputs = split.Train.Select(p => p.Input).ToArray(),
            FinalLoss = r.Loss, NonzeroHeads = r.NonzeroHeads, NonzeroEntries = r.NonzeroEntries,
        });
}
