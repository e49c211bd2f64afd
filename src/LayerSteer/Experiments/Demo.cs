using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tasks;
using LayerSteer.Tokenizers;

namespace LayerSteer.Experiments;

/// <summary>What the demo measured: the split, the three methods' held-out results, the fit and its training-pair score.</summary>
public sealed record DemoResult(TaskPairs Task, TaskSplit Split, VectorSettings Settings, EvalResult ZeroShot, EvalResult FewShot, EvalResult Vector,
    EvalResult VectorOnTrain, FitResult Fit);

/// <summary>The demo: an antonym Δ fitted with every default on N = 10 pairs (seed 0), against 0-shot and 10-shot prompting
/// on 100 held-out words.</summary>
public static class Demo
{
    public const string TaskName = "antonym";
    public const int TestSize = 100;

    public static DemoResult Run(Transformer model, ITokenizer tokenizer, TaskPairs task, Action<FitStep>? progress = null)
    {
        var split = TaskSplit.Make(task, RunDefaults.Shots, TestSize, seed: 0);
        var enc = new TaskEncoder(tokenizer, RunDefaults.Template);
        var s = VectorSettings.Default(model.Config.NumLayers);
        var ev = new Evaluator(model, enc);
        var zero = ev.Evaluate(split.Test, null, null);
        var few = ev.Evaluate(split.Test, split.Train, null);
        var fit = VectorTraining.Fit(model, enc, split.Train, s, progress);
        var steering = Steering.Add([new Addition(s.Layer, fit.Delta, 1f, s.Apply)]);
        return new DemoResult(task, split, s, zero, few, ev.Evaluate(split.Test, null, steering), ev.Evaluate(split.Train, null, steering), fit);
    }
}
