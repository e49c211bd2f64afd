using LayerSteer.Tasks.Opinions;

namespace LayerSteer.Tests.Opinions;

public class OpinionSplitTests
{
    static List<OpinionExample> Examples(int n) =>
        Enumerable.Range(0, n).Select(i => new OpinionExample(new SurveyQuestion($"Q{i:000}_W1", "W1", $"Q{i}?", ["Yes", "No"]), [0.5, 0.5])).ToList();

    [Fact]
    public void SplitIsDisjointSizedAndReproducible()
    {
        var all = Examples(300);
        var s = OpinionSplit.Make(all, seed: 7);
        Assert.Equal(10, s.Train.Count);
        Assert.Equal(100, s.Test.Count);
        var trainIds = s.Train.Select(e => e.Question.Id).ToHashSet();
        Assert.DoesNotContain(s.Test, e => trainIds.Contains(e.Question.Id));
        Assert.Equal(110, s.Train.Concat(s.Test).Select(e => e.Question.Id).Distinct().Count());

        // Same seed, shuffled input order: same split. Another seed: a different one.
        var again = OpinionSplit.Make(all.AsEnumerable().Reverse().ToList(), seed: 7);
        Assert.Equal(s.Train.Select(e => e.Question.Id), again.Train.Select(e => e.Question.Id));
        Assert.Equal(s.Test.Select(e => e.Question.Id), again.Test.Select(e => e.Question.Id));
        var other = OpinionSplit.Make(all, seed: 8);
        Assert.NotEqual(s.Train.Select(e => e.Question.Id), other.Train.Select(e => e.Question.Id));
        // Not just the first questions in id order.
        Assert.NotEqual(all.Take(10).Select(e => e.Question.Id), s.Train.Select(e => e.Question.Id));
    }

    [Fact]
    public void SmallPoolsShrinkTheTestSetOrFail()
    {
        var s = OpinionSplit.Make(Examples(15), seed: 1, train: 10, test: 100);
        Assert.Equal(10, s.Train.Count);
        Assert.Equal(5, s.Test.Count);
        Assert.Contains("need at least 10 training + 1 test", Assert.Throws<LayerSteerException>(() => OpinionSplit.Make(Examples(10), seed: 1)).Message);
    }
}
