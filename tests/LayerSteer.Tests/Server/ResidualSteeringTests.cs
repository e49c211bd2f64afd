using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using LayerSteer.Chat;
using LayerSteer.Inference;
using LayerSteer.Intervention;
using LayerSteer.Tests.Support;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

#pragma warning disable OPENAI001, SCME0001   // the SDK marks JSON patches experimental

namespace LayerSteer.Tests.Server;

/// <summary>Steering at the block output (the residual stream after a layer, other engines' site) through the running server and
/// the official OpenAI .NET SDK: inline and registry vectors, every apply mode, answering exactly what the library's Generator
/// with SiteAddition (`generate --vector`) answers.</summary>
[Collection(ServerCollection.Name)]
public sealed class ResidualSteeringTests(ServerFixture fx)
{
    const int MaxTokens = 8;

    // The antonym Δ moved to the block output: W_O·Δ, what `export --format gguf` writes.
    float[] Residual => OProjImage.Of(fx.Bundle.Model.Layers[fx.Antonym.Layer], fx.Antonym.Delta);

    VectorHeader ResidualHeader(ApplyMode apply) => SteeringVector.BaseHeader(fx.Bundle.Model, fx.Antonym.Layer, apply, VectorSite.BlockOutput);

    string[] Words => fx.Split.Test.Take(8).Select(p => p.Input).ToArray();

    static string Base64(float[] v) => Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan()).ToArray());

    // Greedy text the library gives (the scheduler's kernels on this thread), or unsteered with no additions.
    string Library(string word, IReadOnlyList<Addition> additions)
    {
        var tok = fx.Bundle.RequireTokenizer();
        int[] ids = tok.Encode($"Q: {word}\nA:");
        var o = new SamplingOptions { MaxNewTokens = MaxTokens, StopStrings = ["\n"] };
        LayerSteer.Tensors.Gemm.RowExact = true;
        try { return new Generator(fx.Bundle.Model, tok).Generate([ids], o, additions.Count > 0 ? new SiteAddition(additions, [ids.Length]) : null)[0].Text!; }
        finally { LayerSteer.Tensors.Gemm.RowExact = false; }
    }

    ChatCompletion Chat(string word, string? steering)
    {
        var o = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = MaxTokens };
        o.StopSequences.Add("\n");
        if (steering != null) o.Patch.Set("$.steering"u8, BinaryData.FromString(steering));
        return fx.OpenAi().GetChatClient(fx.ModelId).CompleteChat([new UserChatMessage(word)], o).Value;
    }

    static string Text(ChatCompletion c) => c.Content.Count > 0 ? c.Content[0].Text : "";

    // The steering echo of a completion sent through the SDK's pipeline (chat completions do not surface extra members).
    JsonElement Completion(string word, string steering)
    {
        string body = $$"""{"model": "{{fx.ModelId}}", "prompt": {{JsonSerializer.Serialize($"Q: {word}\nA:")}}, "max_tokens": {{MaxTokens}}, "temperature": 0, "stop": ["\n"], "steering": {{steering}}}""";
        return fx.SdkCompletion(body);
    }

    [Theory]
    [InlineData(ApplyMode.Last)]
    [InlineData(ApplyMode.All)]
    [InlineData(ApplyMode.Every)]
    public void InlineBlockOutputVectorsAnswerAsTheLibrary(ApplyMode mode)
    {
        int layer = fx.Antonym.Layer;
        string steering = $$"""{"vectors": [{"layer": {{layer}}, "site": "block_output", "data": "{{Base64(Residual)}}", "scale": 1.0}], "apply": "{{ApplyModes.Name(mode)}}"}""";
        var addition = new Addition(layer, Residual, 1f, mode, VectorSite.BlockOutput);
        int changed = 0;
        foreach (var w in Words)
        {
            string steered = Text(Chat(w, steering));
            Assert.Equal(Library(w, [addition]), steered);
            if (steered != Library(w, [])) changed++;
        }
        Assert.True(changed > 0, $"the block-output vector at apply {ApplyModes.Name(mode)} changed none of {Words.Length} answers");
        var echo = Completion(Words[0], steering).GetProperty("steering").GetProperty("vectors")[0];
        Assert.Equal("block_output", echo.GetProperty("site").GetString());
        Assert.Equal(ApplyModes.Name(mode), echo.GetProperty("apply").GetString());
    }

    [Fact]
    public async Task ARegistryBlockOutputVectorIsListedAndAppliedAtItsSite()
    {
        var model = fx.Bundle.Model;
        var header = ResidualHeader(ApplyMode.Every) with { Task = "antonym" };
        using var dir = new TempDir();
        string path = dir.File("residual.safetensors");
        new SteeringVector(Residual, header).Save(path);
        const string name = "residual-antonym";
        using (var put = await fx.Http.PutAsync($"v1/vectors/{name}", new ByteArrayContent(File.ReadAllBytes(path))))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        try
        {
            var card = JsonDocument.Parse(await fx.Http.GetStringAsync($"v1/vectors/{name}")).RootElement;
            Assert.Equal("block_output", card.GetProperty("site").GetString());
            Assert.Equal("every", card.GetProperty("apply").GetString());
            Assert.Equal(model.Hidden, card.GetProperty("width").GetInt32());

            var saved = SteeringVector.Load(path);
            foreach (var w in Words.Take(4))
            {
                // The file's own apply mode, then a per-vector override, then a sum with the o_proj-input antonym Δ.
                Assert.Equal(Library(w, [saved.ToAddition()]), Text(Chat(w, $$"""{"vectors": [{"name": "{{name}}"}]}""")));
                Assert.Equal(Library(w, [saved.ToAddition(0.5f) with { Mode = ApplyMode.Last }]),
                    Text(Chat(w, $$"""{"vectors": [{"name": "{{name}}", "scale": 0.5, "apply": "last"}]}""")));
                Assert.Equal(Library(w, [fx.Antonym.ToAddition(), saved.ToAddition(0.5f)]),
                    Text(Chat(w, $$"""{"vectors": [{"name": "antonym"}, {"name": "{{name}}", "scale": 0.5}]}""")));
            }
            var echo = Completion(Words[0], $$"""{"vectors": [{"name": "{{name}}"}]}""").GetProperty("steering").GetProperty("vectors")[0];
            Assert.Equal("block_output", echo.GetProperty("site").GetString());
            Assert.Equal("every", echo.GetProperty("apply").GetString());
        }
        finally { (await fx.Http.DeleteAsync($"v1/vectors/{name}")).Dispose(); }
    }

    [Fact]
    public async Task TheInProcessChatClientAddsABlockOutputVectorAtItsSite()
    {
        var s = fx.Server.Serving;
        using IChatClient client = new LayerSteerChatClient(s.Scheduler, s.Chat!, s.ModelId);
        var vector = new SteeringVector(Residual, ResidualHeader(ApplyMode.All));
        foreach (var w in Words.Take(4))
        {
            var options = new ChatOptions { Temperature = 0, MaxOutputTokens = MaxTokens, StopSequences = ["\n"], AdditionalProperties = new() { ["steering"] = vector } };
            var reply = await client.GetResponseAsync([new Microsoft.Extensions.AI.ChatMessage(ChatRole.User, w)], options);
            Assert.Equal(Library(w, [vector.ToAddition()]), reply.Text);
        }
    }
}
