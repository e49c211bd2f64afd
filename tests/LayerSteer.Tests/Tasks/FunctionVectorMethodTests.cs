using LayerSteer.Experiments;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tasks;
using LayerSteer.Tests.Support;
using LayerSteer.Hub;

namespace LayerSteer.Tests.Tasks;

public class FunctionVectorMethodTests
{
    static MethodContext WordWorld(int seed = 0)
    {
        var b = ModelBundle.Open(Shared.Model("wordworld-v1"));
        var enc = new TaskEncoder(b.RequireTokenizer(), PromptTemplate.Fv);
        return new MethodContext(b.Model, enc, TaskSplit.Make(TaskPairs.Resolve("antonym", TaskPairs.SearchRoots(null, b.Path, [])), 10, 24, seed), new Evaluator(b.Model, enc));
    }

    static string[] Predictions(MethodContext c, Steering? s) => c.Evaluator.Evaluate(c.Split.Test, null, s).Items.Select(i => i.Prediction).ToArray();

    [SharedFact]
    public void ZeroHeadsGiveExactlyTheZeroShotPredictionsAndTenHeadsChangeThem()
    {
        var c = WordWorld();
        var zero = Predictions(c, null);
        var none = new FunctionVectorSettings(1, Heads: 0, Prompts: 4);
        var empty = new FunctionVectorMemo(none).Get(c.Model, c.Encoder, c.Split);
        Assert.Empty(empty.Heads);
        Assert.Equal(zero, Predictions(c, FunctionVector.Steering(1, empty.Vector, ApplyMode.All)));
        var fvScore = new FunctionVectorMethod(new FunctionVectorMemo(none), fewShot: false).Run(c);
        Assert.Equal(new Method.Prompting(fewShot: false).Run(c), fvScore with { Details = new() });
        Assert.Equal(1, fvScore.Details.FvLayer);
        Assert.Empty(fvScore.Details.FvHeads!);
        var ten = new FunctionVectorMemo(none with { Heads = 10 }).Get(c.Model, c.Encoder, c.Split);
        Assert.NotEqual(zero, Predictions(c, FunctionVector.Steering(1, ten.Vector, ApplyMode.All)));
    }

    [SharedFact]
    public void FvZeroAndFvFewShareOneExtractionPerSplit()
    {
        var c = WordWorld();
        var memo = new FunctionVectorMemo(new FunctionVectorSettings(1, Heads: 3, Prompts: 4));
        var first = memo.Get(c.Model, c.Encoder, c.Split);
        Assert.Same(first, memo.Get(c.Model, c.Encoder, c.Split));
        Assert.NotSame(first, memo.Get(c.Model, c.Encoder, WordWorld(seed: 1).Split));
        var score = new FunctionVectorMethod(memo, fewShot: true).Run(c);
        Assert.Equal(1, score.Details.FvLayer);
        Assert.Equal(3, score.Details.FvHeads!.Length);
        Assert.Equal(first.Heads, score.Details.FvHeads);
    }

    [SharedFact]
    public void PromptsUseOnlyTrainingPairsAndCorruptedDemosNeverKeepTheirOutput()
    {
        var c = WordWorld();
        var p = FunctionVectorPrompts.Build(c.Encoder, c.Split.Train, 12, seed: 3);
        var tok = c.Encoder.Tokenizer;
        var train = c.Split.Train.ToDictionary(x => x.Input, x => x.Output);
        for (int i = 0; i < 12; i++)
        {
            var clean = Blocks(tok.Decode(p.Clean[i], skipSpecialTokens: true));
            var bad = Blocks(tok.Decode(p.Corrupted[i], skipSpecialTokens: true));
            Assert.Equal(10, clean.Length);   // 9 demonstrations + the query
            Assert.Equal(c.Split.Train[i % 10].Input, clean[^1].Input);
            Assert.All(clean, b => Assert.True(train.ContainsKey(b.Input)));
            Assert.All(clean[..^1], b => Assert.Equal(train[b.Input], b.Output));
            Assert.Equal(clean.Select(b => b.Input), bad.Select(b => b.Input));
            Assert.All(bad[..^1], b => Assert.NotEqual(train[b.Input], b.Output));
            Assert.Equal(clean[..^1].Select(b => b.Output).Order(), bad[..^1].Select(b => b.Output).Order());
            var text = c.Encoder.Template.Prompt(clean[^1].Input, bad[..^1].Select(b => new Pair(b.Input, b.Output)).ToArray());
            Assert.Equal(c.Encoder.Prompt(clean[^1].Input, bad[..^1].Select(b => new Pair(b.Input, b.Output)).ToArray()), p.Corrupted[i]);
            Assert.Equal(c.Encoder.Target(p.Corrupted[i], text, train[clean[^1].Input])[0], p.Targets[i]);
        }
        Assert.NotEqual(tok.Decode(p.Clean[0]), tok.Decode(p.Clean[10]));   // demos reshuffled
    }

    // "Q: x\nA: y\n\nQ: x2\nA:" → (x, y) blocks; the query's output is empty.
    static (string Input, string Output)[] Blocks(string text) =>
        text.Split("\n\n").Select(b => b.Split("\nA:")).Select(q => (q[0][(q[0].IndexOf("Q: ") + 3)..], q[1].Trim())).ToArray();
}
