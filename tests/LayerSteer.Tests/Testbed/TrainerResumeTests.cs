using LayerSteer.Testbed;
using LayerSteer.Tests.Support;
using LayerSteer.Tokenizers;
using LayerSteer.Tokenizers.Training;

namespace LayerSteer.Tests.Testbed;

/// <summary>The trainer sets OpenBLAS single-threaded process-wide while it runs; alone in its collection it cannot change
/// the thread count (and so the last bits) under a test that compares two runs of the same computation.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OpenBlasThreadsCollection
{
    public const string Name = "OpenBLAS thread count";
}

[Collection(OpenBlasThreadsCollection.Name)]
public class TrainerResumeTests
{
    static readonly TestbedSettings Settings = new()
    {
        Shape = new TestbedShape { Layers = 1, Hidden = 8, Heads = 2, KvHeads = 1, Vocab = 300, Intermediate = 12, MaxPositions = 32 },
        Steps = 6, Batch = 2, Seq = 16, CheckpointMinutes = 0,   // a checkpoint after every step
    };

    static (Corpus, ITokenizer) Data(TempDir dir)
    {
        var corpus = new Corpus(FactSet.Select(TestbedData.DefaultDir()!, Relation.All, 0), 0);
        TokenizerJsonWriter.Write(dir.Path, BpeTrainer.Train(corpus.Epoch(0), Settings.Shape.Vocab, [TestbedBuilder.Bos]), 32, TestbedBuilder.ChatTemplate);
        return (corpus, TokenizerLoader.Load(dir.Path));
    }

    [Fact]
    public void AnInterruptedRunResumedFromItsCheckpointEndsWithTheSameWeights()
    {
        using var dir = new TempDir();
        var (corpus, tok) = Data(dir);
        var straight = TestbedModel.Init(Settings.Shape, 0);
        var r1 = TestbedTrainer.Train(straight, new TokenStream(corpus, tok, Settings.Seq), Settings, dir.File("a.safetensors"), false, null);
        Assert.True(r1.FinalLoss < r1.FirstLoss, $"loss {r1.FirstLoss} → {r1.FinalLoss}");

        string ckpt = dir.File("b.safetensors");
        var interrupted = TestbedModel.Init(Settings.Shape, 0);
        Assert.Throws<OperationCanceledException>(() => TestbedTrainer.Train(interrupted, new TokenStream(corpus, tok, Settings.Seq), Settings, ckpt, false,
            p => { if (p.Step == 4) throw new OperationCanceledException(); }));
        var resumed = TestbedModel.Init(Settings.Shape, 0);
        var r2 = TestbedTrainer.Train(resumed, new TokenStream(corpus, tok, Settings.Seq), Settings, ckpt, true, null);
        Assert.Equal(3, r2.ResumedAt);
        Assert.Equal(r1.FirstLoss, r2.FirstLoss);
        Assert.Equal(r1.FinalLoss, r2.FinalLoss);
        for (int i = 0; i < straight.Parameters.Count; i++) Assert.Equal(straight.Parameters[i].Value, resumed.Parameters[i].Value);
    }

    [Fact]
    public void ResumingWithOtherSettingsIsAnError()
    {
        using var dir = new TempDir();
        var (corpus, tok) = Data(dir);
        string ckpt = dir.File("c.safetensors");
        Assert.Throws<OperationCanceledException>(() => TestbedTrainer.Train(TestbedModel.Init(Settings.Shape, 0), new TokenStream(corpus, tok, Settings.Seq),
            Settings, ckpt, false, p => { if (p.Step == 2) throw new OperationCanceledException(); }));
        var other = Settings with { Lr = 1e-2f };
        var e = Assert.Throws<LayerSteerException>(() => TestbedTrainer.Train(TestbedModel.Init(other.Shape, 0), new TokenStream(corpus, tok, other.Seq), other, ckpt, true, null));
        Assert.Contains("c.safetensors", e.Message);
        Assert.Contains("other settings", e.Message);
    }

    [Fact]
    public void BadShapesAreClearErrors()
    {
        Assert.Contains("--heads", Assert.Throws<LayerSteerException>(() => new TestbedShape { Hidden = 130, Heads = 4 }.Validate()).Message);
        Assert.Contains("--kv-heads", Assert.Throws<LayerSteerException>(() => new TestbedShape { Heads = 4, KvHeads = 3 }.Validate()).Message);
        Assert.Contains("--seq", Assert.Throws<LayerSteerException>(() => (Settings with { Seq = 64 }).Validate()).Message);
    }
}
