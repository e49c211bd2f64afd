using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tasks;

namespace LayerSteer.Experiments;

/// <summary>Everything a method may use for one (task, seed): the same model, prompts and split for every method.</summary>
public sealed record MethodContext(Transformer Model, TaskEncoder Encoder, TaskSplit Split, Evaluator Evaluator)
{
    /// <summary>The task the split was drawn from (methods that need more than the split, e.g. a composed task's parts).</summary>
    public TaskPairs? Task { get; init; }
}

/// <summary>A way of making the model do a task from N examples (prompting, a task vector, a baseline).</summary>
public abstract class Method
{
    /// <summary>The row name in tables and cache file names.</summary>
    public abstract string Name { get; }

    /// <summary>Every setting that changes the method's result, explicit and culture-invariant (result caches key on it).</summary>
    public abstract string Key { get; }

    public abstract MethodScore Run(MethodContext ctx);

    /// <summary>0-shot prompting (the query alone) or k-shot prompting with the N training pairs as demonstrations.</summary>
    public sealed class Prompting(bool fewShot) : Method
    {
        public override string Name => MethodKinds.Name(fewShot ? MethodKind.FewShot : MethodKind.ZeroShot);
        public override string Key => Name;
        public override MethodScore Run(MethodContext c) => MethodScore.Test(c.Evaluator.Evaluate(c.Split.Test, fewShot ? c.Split.Train : null, null));
    }

    /// <summary>The paper's task vector: Δ fitted on the N training pairs, added at the site of layer ℓ (the o_proj input, or
    /// with <see cref="VectorSettings.Site"/> the block output).</summary>
    public sealed class Vector(VectorSettings s, string? name = null) : Method
    {
        public override string Name => name ?? MethodKinds.Name(MethodKind.Vector);
        public override string Key => CacheKey.Of("method", Name, "vector", s.Key);
        public VectorSettings Settings => s;

        public override MethodScore Run(MethodContext c)
        {
            var fit = VectorTraining.Fit(c.Model, c.Encoder, c.Split.Train, s);
            var steering = Steering.Add([s.Addition(fit.Delta)]);
            var test = c.Evaluator.Evaluate(c.Split.Test, null, steering);
            var train = c.Evaluator.Evaluate(c.Split.Train, null, steering);
            return MethodScore.TestAndTrain(test, train, Details(fit, s));
        }

        /// <summary>What a Δ fit learned, for the score.</summary>
        public static MethodDetails Details(FitResult fit, VectorSettings s) => new()
        {
            InitialLoss = fit.InitialLoss, FinalLoss = fit.Loss, Steps = fit.Steps, Lr = s.Fit.Lr, Parameters = fit.Delta.Length,
            NonzeroHeads = fit.NonzeroHeads, NonzeroEntries = fit.NonzeroEntries,
        };
    }

    /// <summary>Vectors the user brought (e.g. `compose --vector A --vector B`), summed and added as they are.</summary>
    public sealed class GivenVectors(string name, IReadOnlyList<Addition> additions, string contentKey) : Method
    {
        public override string Name => name;
        public override string Key => CacheKey.Of("method", name, "vectors", contentKey);

        public override MethodScore Run(MethodContext c)
        {
            var test = c.Evaluator.Evaluate(c.Split.Test, null, Steering.Add(additions));
            return MethodScore.Test(test);
        }
    }
}
