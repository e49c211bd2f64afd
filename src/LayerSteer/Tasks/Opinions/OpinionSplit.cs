namespace LayerSteer.Tasks.Opinions;

/// <summary>Disjoint training questions (to fit Δ or build few-shot prompts) and held-out test questions for one group.</summary>
public sealed record OpinionSplit(IReadOnlyList<OpinionExample> Train, IReadOnlyList<OpinionExample> Test)
{
    /// <summary>A seeded split: sort by id (so load order does not matter), Fisher–Yates shuffle with System.Random(seed)
    /// (the same sequence for the same seed), then the first <paramref name="train"/> are training and the next
    /// up to <paramref name="test"/> are test. Fewer than train + 1 questions is an error; fewer than train + test gives a smaller test set.</summary>
    public static OpinionSplit Make(IReadOnlyList<OpinionExample> examples, int seed, int train = 10, int test = 100)
    {
        if (train < 0 || test < 1) throw new LayerSteerException($"split sizes must be train ≥ 0 and test ≥ 1 (got {train}, {test})");
        if (examples.Count < train + 1)
            throw new LayerSteerException($"{examples.Count} questions with a valid distribution; need at least {train} training + 1 test");
        var order = examples.OrderBy(e => e.Question.Id, StringComparer.Ordinal).ToArray();
        var rng = new Random(seed);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return new OpinionSplit(order[..train], order[train..Math.Min(order.Length, train + test)]);
    }
}
