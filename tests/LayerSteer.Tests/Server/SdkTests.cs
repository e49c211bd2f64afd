using LayerSteer.Tasks;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using LayerSteer.Inference;
using LayerSteer.Intervention;
using LayerSteer.Tests.Support;
using OpenAI.Chat;

#pragma warning disable OPENAI001, SCME0001   // the SDK marks the legacy completions client and JSON patches experimental

namespace LayerSteer.Tests.Server;

/// <summary>The running server driven through the official OpenAI .NET SDK: completions, chat, streaming, and steering sent as
/// an extra body property. The steered model answers antonyms where the unsteered one does not.</summary>
[Collection(ServerCollection.Name)]
public sealed class SdkTests(ServerFixture fx)
{
    const string Steering = """{"vectors": [{"name": "antonym", "scale": 1.0}], "apply": "last"}""";

    IEnumerable<string> Words => fx.Split.Train.Concat(fx.Split.Test).Select(p => p.Input);
    string AntonymOf(string x) => fx.Task.Pairs.First(p => p.Input == x).Output;

    JsonElement Complete(string prompt, bool steered)
    {
        string steering = steered ? $", \"steering\": {Steering}" : "";
        string body = $$"""{"model": "{{fx.ModelId}}", "prompt": {{JsonSerializer.Serialize(prompt)}}, "max_tokens": 8, "temperature": 0, "stop": ["\n"]{{steering}}}""";
        return fx.SdkCompletion(body);
    }

    static string Answer(JsonElement completion) => completion.GetProperty("choices")[0].GetProperty("text").GetString()!.Trim();

    ChatCompletionOptions ChatOptions(bool steered)
    {
        var o = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8 };
        o.StopSequences.Add("\n");
        if (steered) o.Patch.Set("$.steering"u8, BinaryData.FromString(Steering));
        return o;
    }

    [Fact]
    public void SteeredCompletionAnswersTheAntonymWhereTheUnsteeredDoesNot()
    {
        // The server's steered answers are the library's (Generator + SiteAddition, what `generate --vector` runs), word for word.
        var tok = fx.Bundle.RequireTokenizer();
        var gen = new Generator(fx.Bundle.Model, tok);
        var o = new SamplingOptions { MaxNewTokens = 8, StopStrings = ["\n"] };
        int elicited = 0;
        LayerSteer.Tensors.Gemm.RowExact = true;   // the scheduler's kernels, on this thread
        try
        {
        foreach (var x in Words)
        {
            string prompt = $"Q: {x}\nA:";
            var steered = Complete(prompt, steered: true);
            string plain = Answer(Complete(prompt, steered: false));
            int[] ids = tok.Encode(prompt);
            string library = gen.Generate([ids], o, new SiteAddition([fx.Antonym.ToAddition()], [ids.Length]))[0].Text!.Trim();
            Assert.Equal(library, Answer(steered));
            var echo = steered.GetProperty("steering").GetProperty("vectors")[0];
            Assert.Equal("antonym", echo.GetProperty("name").GetString());
            Assert.Equal(fx.Antonym.Layer, echo.GetProperty("layer").GetInt32());
            if (Scoring.ExactMatch(Answer(steered), AntonymOf(x)) && !Scoring.ExactMatch(plain, AntonymOf(x))) elicited++;   // the eval rule: the first word(s), punctuation trimmed
        }
        }
        finally { LayerSteer.Tensors.Gemm.RowExact = false; }
        Assert.True(elicited >= 3, $"only {elicited} of 30 words answered with their antonym under steering (and not without)");
    }

    [Fact]
    public void SteeredChatAnswersTheAntonymAsTheSteeredCompletionDoes()
    {
        var chat = fx.OpenAi().GetChatClient(fx.ModelId);
        int elicited = 0;
        foreach (var x in Words)
        {
            var steered = chat.CompleteChat([new UserChatMessage(x)], ChatOptions(steered: true)).Value;
            var plain = chat.CompleteChat([new UserChatMessage(x)], ChatOptions(steered: false)).Value;
            // The chat template renders the task template, so chat and completion see the same prompt ids.
            Assert.Equal(Answer(Complete($"Q: {x}\nA:", steered: true)), steered.Content[0].Text.Trim());
            Assert.True(steered.Usage.InputTokenCount == fx.Bundle.RequireTokenizer().Encode($"Q: {x}\nA:").Length);
            string got = steered.Content[0].Text.Trim(), without = plain.Content.Count > 0 ? plain.Content[0].Text.Trim() : "";
            if (Scoring.ExactMatch(got, AntonymOf(x)) && !Scoring.ExactMatch(without, AntonymOf(x))) elicited++;
        }
        Assert.True(elicited >= 3, $"only {elicited} of 30 words answered with their antonym in steered chat (and not without)");
    }

    [Fact]
    public void StreamedChatEqualsTheWholeAnswer()
    {
        var chat = fx.OpenAi().GetChatClient(fx.ModelId);
        foreach (var x in Words.Take(5))
        {
            var completion = chat.CompleteChat([new UserChatMessage(x)], ChatOptions(steered: true)).Value;
            string whole = completion.Content[0].Text;
            var parts = chat.CompleteChatStreaming([new UserChatMessage(x)], ChatOptions(steered: true)).ToList();
            Assert.True(parts.Count >= 2, "a stream of one chunk streams nothing");
            Assert.Equal(whole, string.Concat(parts.SelectMany(p => p.ContentUpdate).Select(c => c.Text)));
            Assert.Equal(completion.FinishReason, parts.Last(p => p.FinishReason != null).FinishReason);
        }
    }

    [Fact]
    public void ModelsAndLogprobsComeBackInTheSdksTypes()
    {
        var models = fx.OpenAi().GetOpenAIModelClient().GetModels().Value;
        Assert.Equal([fx.ModelId], models.Select(m => m.Id));
        var o = ChatOptions(steered: false);
        o.IncludeLogProbabilities = true;
        o.TopLogProbabilityCount = 3;
        var c = fx.OpenAi().GetChatClient(fx.ModelId).CompleteChat([new UserChatMessage("hot")], o).Value;
        Assert.NotEmpty(c.ContentTokenLogProbabilities);
        foreach (var t in c.ContentTokenLogProbabilities)
        {
            Assert.Equal(3, t.TopLogProbabilities.Count);
            Assert.Equal(t.TopLogProbabilities[0].LogProbability, t.LogProbability);   // greedy: the chosen token is the most likely
            Assert.True(t.LogProbability <= 0);
        }
    }
}
