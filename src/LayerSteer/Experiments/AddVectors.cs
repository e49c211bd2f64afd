using LayerSteer.Intervention;
using LayerSteer.Tasks;

namespace LayerSteer.Experiments;

/// <summary>Table 2's "Add" on a composed task A>B: Δ_A + Δ_B, each fitted on N pairs of its own task, drawn (with the
/// split's seed) from pools that exclude the held-out composed pairs' inputs and intermediates (<see cref="Composition"/>).</summary>
public sealed class AddVectors(VectorSettings s, string name = "Add (Δ_A + Δ_B)") : Method
{
    public override string Name => name;
    public override string Key => CacheKey.Of("method", name, "vector", s.Key);

    /// <summary>The N training pairs of Δ_A and of Δ_B for one split of the composed task.</summary>
    public static Pair[][] TrainingSets(TaskPairs composed, TaskSplit split)
    {
        var (first, second) = Composition.ComponentPools(composed, split.Test);
        return [TaskSplit.Make(first, split.Train.Length, 0, split.Seed).Train, TaskSplit.Make(second, split.Train.Length, 0, split.Seed).Train];
    }

    public override MethodScore Run(MethodContext c)
    {
        var task = c.Task ?? throw new InvalidOperationException("AddVectors needs the composed task in its context");
        var fits = TrainingSets(task, c.Split).Select(train => VectorTraining.Fit(c.Model, c.Encoder, train, s)).ToArray();
        var sum = new float[fits[0].Delta.Length];
        foreach (var f in fits) for (int i = 0; i < sum.Length; i++) sum[i] += f.Delta[i];
        var (heads, entries) = SparseGroupLasso.SupportOf(sum, VectorSites.GroupWidth(c.Model, s.Site));
        var test = c.Evaluator.Evaluate(c.Split.Test, null, Steering.Add([s.Addition(sum)]));
        return MethodScore.Test(test, new MethodDetails
        {
            NonzeroHeads = heads, NonzeroEntries = entries, ComponentHeads = fits.Select(f => f.NonzeroHeads).ToArray(),
            FinalLoss = fits.Average(f => f.Loss), Steps = fits.Max(f => f.Steps),
        });
    }
}
