using LayerSteer.Inference;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Server;

/// <summary>The small pieces under the server: what streaming may show, generation_config.json's EOS ids, and EOS stopping a row.</summary>
public class InferencePiecesTests
{
    [Theory]
    [InlineData("abc\nQ", null, "abc")]          // "\nQ" may still become the stop string "\nQ:": held back
    [InlineData("abc\nQx", null, "abc\nQx")]
    [InlineData("abc \uFFFD", null, "abc ")]     // half a character: held back
    [InlineData("abc\nQ: d", "stop", "abc")]     // stopped: cut before the stop string
    [InlineData("abc\nQ", "length", "abc\nQ")]   // ended otherwise: everything
    public void VisibleTextHoldsBackWhatMayStillChange(string text, string? reason, string expected) =>
        Assert.Equal(expected, Continuation.Visible(text, ["\nQ:"], reason));

    [Fact]
    public void GenerationConfigEosIdsAreReadAsOneIdOrAList()
    {
        using var tmp = new TempDir();
        Assert.Empty(GenerationConfig.EosIds(tmp.Path));
        File.WriteAllText(tmp.File(GenerationConfig.FileName), "{\"eos_token_id\": [5, 7], \"bos_token_id\": 1}");
        Assert.Equal([5, 7], GenerationConfig.EosIds(tmp.Path));
        File.WriteAllText(tmp.File(GenerationConfig.FileName), "{\"eos_token_id\": 9}");
        Assert.Equal([9], GenerationConfig.EosIds(tmp.Path));
        File.WriteAllText(tmp.File(GenerationConfig.FileName), "{\"eos_token_id\": \"x\"}");
        Assert.Contains(GenerationConfig.FileName, Assert.Throws<LayerSteerException>(() => GenerationConfig.EosIds(tmp.Path)).Message);
    }

    [Fact]
    public async Task AnExtraEosIdStopsARow()
    {
        var b = LayerSteer.Hub.ModelBundle.Open(TestModels.Testbed);
        var prompt = b.RequireTokenizer().Encode("Q: hot\nA:");
        var o = new SamplingOptions { MaxNewTokens = 5 };
        using var plain = new BatchScheduler(b.Model, b.Tokenizer, new BatchLimits());
        var free = await plain.Run(new SequenceJob(prompt, o, [], 0));
        Assert.Equal("length", free.FinishReason);
        using var stopping = new BatchScheduler(b.Model, b.Tokenizer, new BatchLimits(), moreEos: [free.Ids[2]]);
        var stopped = await stopping.Run(new SequenceJob(prompt, o, [], 0));
        Assert.Equal("eos", stopped.FinishReason);
        Assert.Equal(free.Ids[..2], stopped.Ids);
    }
}
