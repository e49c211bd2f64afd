using System.Net.Http.Json;
using System.Text.Json;
using LayerSteer.Chat;
using LayerSteer.Inference;
using LayerSteer.Tests.Support;
using Microsoft.Extensions.AI;

namespace LayerSteer.Tests.Server;

/// <summary>A client that leaves frees its row at once; the scheduler drops cancelled rows; the in-process IChatClient steers
/// like the server.</summary>
[Collection(ServerCollection.Name)]
public sealed class StreamingTests(ServerFixture fx)
{
    [Fact]
    public async Task ADisconnectedStreamFreesItsRow()
    {
        var body = JsonContent.Create(new { prompt = "Q: hot\nA:", max_tokens = 60, temperature = 0.8, seed = 3, stream = true });
        var req = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = body };
        long before = fx.Server.Serving.Scheduler.Stats.TokensGenerated;
        using (var r = await fx.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await r.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: {", await reader.ReadLineAsync());
        }   // leaves after the first event
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (fx.Server.Serving.Scheduler.Stats.KvBytesInUse > 0 && DateTime.UtcNow < deadline) await Task.Delay(5);
        var health = await fx.Http.GetFromJsonAsync<JsonElement>("health");
        Assert.Equal(0, health.GetProperty("active").GetInt32());
        Assert.Equal(0, health.GetProperty("kv_bytes_in_use").GetInt64());
    }

    [Fact]
    public async Task CancellingARowDropsItBeforeItsBudget()
    {
        var tok = fx.Bundle.RequireTokenizer();
        using var sched = new BatchScheduler(fx.Bundle.Model, tok, new BatchLimits());
        using var cts = new CancellationTokenSource();
        int steps = 0;
        var o = new SamplingOptions { MaxNewTokens = 200, StopAtEos = false };
        var run = sched.Run(new SequenceJob(tok.Encode("Q: hot\nA:"), o, [], 0), seq => { if (++steps == 3) cts.Cancel(); }, cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.InRange(steps, 3, 4);   // the row left at the next step boundary
        Assert.Equal(0, sched.Stats.KvBytesInUse);
        Assert.Equal(0, sched.Stats.Active);
    }

    [Fact]
    public async Task ChatClientSteersInProcessAsTheServerDoes()
    {
        var s = fx.Server.Serving;
        using IChatClient client = new LayerSteerChatClient(s.Scheduler, s.Chat!, s.ModelId);
        foreach (var x in fx.Split.Test.Take(4).Select(p => p.Input))
        {
            var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 8, StopSequences = ["\n"], AdditionalProperties = new() { ["steering"] = fx.Antonym } };
            var reply = await client.GetResponseAsync([new ChatMessage(ChatRole.User, x)], options);
            var (status, http) = await fx.Post("v1/chat/completions", new
            {
                messages = new[] { new { role = "user", content = x } }, max_tokens = 8, temperature = 0, stop = "\n",
                steering = new { vectors = new[] { new { name = "antonym" } } },
            });
            Assert.Equal(200, status);
            Assert.Equal(http.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), reply.Text);
            var streamed = new List<ChatResponseUpdate>();
            await foreach (var u in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, x)], options)) streamed.Add(u);
            Assert.Equal(reply.Text, string.Concat(streamed.Select(u => u.Text)));
            Assert.Equal(reply.FinishReason, streamed.Last().FinishReason);
        }
        var other = fx.Antonym with { Header = fx.Antonym.Header with { Fingerprint = "elsewhere" } };
        await Assert.ThrowsAsync<LayerSteerException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, "hot")],
            new ChatOptions { AdditionalProperties = new() { ["steering"] = other } }));
    }
}
