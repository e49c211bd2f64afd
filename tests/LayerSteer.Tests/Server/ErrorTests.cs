using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LayerSteer.Server;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Server;

/// <summary>Hostile and wrong input gets OpenAI's error object with the right status and a message, never a 5xx.</summary>
[Collection(ServerCollection.Name)]
public sealed class ErrorTests(ServerFixture fx)
{
    async Task<(int Status, JsonElement Error, HttpResponseMessage Response)> Send(string path, byte[] body, string method = "POST")
    {
        var req = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
        req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var r = await fx.Http.SendAsync(req);
        var json = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
        Assert.True(json.TryGetProperty("error", out var e), json.ToString());
        Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("message").GetString()));
        Assert.True(e.TryGetProperty("type", out _) && e.TryGetProperty("param", out _) && e.TryGetProperty("code", out _), e.ToString());
        return ((int)r.StatusCode, e.Clone(), r);
    }

    static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static TheoryData<string, string, int, string?> Cases => new()
    {
        { "v1/completions", "{\"prompt\": \"Q: hot\\nA:\"", 400, null },                                           // malformed JSON
        { "v1/completions", "[1, 2]", 400, null },
        { "v1/completions", "{\"prompt\": \"x\", \"max_tokens\": -1}", 400, "max_tokens" },
        { "v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 100000}", 400, "max_tokens" },
        { "v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 1.5}", 400, "max_tokens" },
        { "v1/completions", "{\"prompt\": \"x\", \"temperature\": \"hot\"}", 400, "temperature" },
        { "v1/completions", "{\"prompt\": \"x\", \"n\": 0}", 400, "n" },
        { "v1/completions", "{\"prompt\": \"x\", \"stop\": [\"a\",\"b\",\"c\",\"d\",\"e\"]}", 400, "stop" },
        { "v1/completions", "{\"max_tokens\": 3}", 400, "prompt" },
        { "v1/completions", "{\"prompt\": [99999]}", 400, "prompt" },
        { "v1/completions", "{\"prompt\": \"\\ud800 lone\"}", 400, "prompt" },
        { "v1/completions", "{\"prompt\": \"x\", \"model\": \"gpt-4\"}", 404, "model" },
        { "v1/completions", "{\"prompt\": \"x\", \"steering\": {\"vectors\": [{\"name\": \"no-such\"}]}}", 404, "steering.vectors" },
        { "v1/completions", "{\"prompt\": \"x\", \"steering\": {\"vectors\": [{\"layer\": 0, \"data\": \"AAAAAA==\"}]}}", 400, "steering.vectors[0].data" },
        { "v1/completions", "{\"prompt\": \"x\", \"steering\": {\"vectors\": [{\"layer\": 9, \"data\": \"AAAAAA==\"}]}}", 400, "steering.vectors[0].layer" },
        { "v1/completions", "{\"prompt\": \"x\", \"steering\": {\"vectors\": [{\"layer\": 0, \"data\": \"%%%\"}]}}", 400, "steering.vectors[0].data" },
        { "v1/completions", "{\"prompt\": \"x\", \"steering\": {\"vectors\": [{\"layer\": 0, \"site\": \"residual\", \"data\": \"AAAAAA==\"}]}}", 400, "steering.vectors[0].site" },
        { "v1/completions", "{\"prompt\": \"x\", \"steering\": {\"vectors\": [{\"layer\": 0, \"site\": \"block_output\", \"data\": \"AAAAAA==\"}]}}", 400, "steering.vectors[0].data" },
        { "v1/completions", "{\"prompt\": \"x\", \"steering\": {\"vectors\": [{\"name\": \"antonym\", \"apply\": \"sometimes\"}]}}", 400, "steering.vectors[0].apply" },
        { "v1/completions", "{\"prompt\": \"x\", \"steering\": {\"vectors\": [{\"name\": \"antonym\", \"scale\": 1e309}]}}", 400, null },
        { "v1/completions", "{\"prompt\": \"x\", \"steering\": {\"apply\": \"first\", \"vectors\": []}}", 400, "steering.apply" },
        { "v1/completions", "{\"prompt\": \"x\", \"steering\": [1]}", 400, "steering" },
        { "v1/chat/completions", "{\"messages\": []}", 400, "messages" },
        { "v1/chat/completions", "{\"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}", 400, "messages[0].role" },
        { "v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}", 400, "messages[0].content[0].type" },
        { "v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"top_logprobs\": 2}", 400, "top_logprobs" },
        { "v1/nowhere", "{}", 404, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadRequestsGetAnOpenAiError(string path, string body, int status, string? param)
    {
        var (got, e, _) = await Send(path, Utf8(body));
        Assert.True(status == got, e.ToString());
        if (param != null) Assert.Equal(param, e.GetProperty("param").GetString());
    }

    [Fact]
    public async Task InvalidUtf8IsA400()
    {
        var (status, e, _) = await Send("v1/completions", [.. Utf8("{\"prompt\": \"ab"), 0xC3, 0x28, .. Utf8("\"}")]);
        Assert.Equal(400, status);
        Assert.Equal("invalid_utf8", e.GetProperty("code").GetString());
    }

    [Fact]
    public async Task OversizeBodyIsA413()
    {
        var big = Utf8("{\"prompt\": \"" + new string('a', (int)new ServerOptions { Model = "" }.MaxBodyBytes + 10) + "\"}");
        var (status, e, _) = await Send("v1/completions", big);
        Assert.Equal(413, status);
        Assert.Equal("request_too_large", e.GetProperty("code").GetString());
    }

    [Fact]
    public async Task PromptBeyondTheContextIsA400()
    {
        var ids = string.Join(",", Enumerable.Repeat(5, fx.Bundle.Model.Config.MaxPositions));
        var (status, e, _) = await Send("v1/completions", Utf8($"{{\"prompt\": [{ids}], \"max_tokens\": 4}}"));
        Assert.Equal(400, status);
        Assert.Equal("context_length_exceeded", e.GetProperty("code").GetString());
    }

    [Fact]
    public async Task FullServerAnswers429WithRetryAfter()
    {
        await using var small = await LayerSteerServer.StartAsync(new ServerOptions
            { Model = TestModels.Testbed, Port = 0, MaxBatch = 1, MaxQueue = 0, MaxTokens = 200 });
        using var http = new HttpClient { BaseAddress = small.Url };
        var body = Utf8("{\"prompt\": \"Q: hot\\nA:\", \"max_tokens\": 200, \"temperature\": 0}");
        var replies = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => http.PostAsync("v1/completions", new ByteArrayContent(body))));
        Assert.Contains(replies, r => r.StatusCode == HttpStatusCode.OK);
        var busy = replies.Where(r => (int)r.StatusCode == 429).ToList();
        Assert.NotEmpty(busy);
        Assert.All(busy, r => Assert.Equal(TimeSpan.FromSeconds(1), r.Headers.RetryAfter!.Delta));
        Assert.All(replies, r => Assert.True((int)r.StatusCode is 200 or 429, r.StatusCode.ToString()));
    }

    [Fact]
    public async Task ApiKeyIsRequiredWhenSetAndBindingBeyondLoopbackNeedsOne()
    {
        Assert.Contains("requires --api-key", Assert.Throws<LayerSteerException>(() => new ServerOptions { Model = "m", Host = "0.0.0.0" }.Check()).Message);
        new ServerOptions { Model = "m", Host = "0.0.0.0", ApiKey = "k" }.Check();
        await using var keyed = await LayerSteerServer.StartAsync(new ServerOptions { Model = TestModels.Testbed, Port = 0, ApiKey = "sekrit" });
        using var http = new HttpClient { BaseAddress = keyed.Url };
        var none = await http.GetAsync("v1/models");
        Assert.Equal(401, (int)none.StatusCode);
        Assert.Contains("invalid_api_key", await none.Content.ReadAsStringAsync());
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sekrit");
        Assert.Equal(200, (int)(await http.GetAsync("v1/models")).StatusCode);
        var sdk = new OpenAI.OpenAIClient(new System.ClientModel.ApiKeyCredential("sekrit"), new OpenAI.OpenAIClientOptions { Endpoint = new Uri(keyed.Url, "v1") });
        Assert.Single(sdk.GetOpenAIModelClient().GetModels().Value);
    }
}
