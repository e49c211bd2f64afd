using System.Net.Http.Headers;
using System.Text.Json;
using LayerSteer.Server;

namespace LayerSteer.Verification;

/// <summary>The server's request parsers as fuzz targets: raw bytes sent as the body of one endpoint of a real server on loopback
/// (what tools/fuzz feeds and the corpus replay test runs). Any 4xx with OpenAI's error object, or a success, is a clean answer; a
/// 5xx, another error shape or no answer is a defect (<see cref="Defect"/>).</summary>
public sealed class RequestTargets : IAsyncDisposable
{
    /// <summary>Target name → (HTTP method, path). The fit and upload targets use the registry name "fuzz".</summary>
    public static readonly IReadOnlyDictionary<string, (string Method, string Path)> All = new Dictionary<string, (string, string)>
    {
        ["server-completions"] = ("POST", "/v1/completions"),
        ["server-chat"] = ("POST", "/v1/chat/completions"),
        ["server-fit"] = ("POST", "/v1/vectors/fuzz/fit"),
        ["server-vector-put"] = ("PUT", "/v1/vectors/fuzz"),
    };

    /// <summary>A server answered a request in a way no request may cause.</summary>
    public sealed class Defect(string message) : Exception(message);

    readonly LayerSteerServer _server;
    readonly HttpClient _http;

    RequestTargets(LayerSteerServer server)
    {
        _server = server;
        _http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Starts a server on <paramref name="model"/> with small limits (4 generated tokens, one queued fit job), so that the
    /// valid bodies a fuzzer finds stay cheap to run; its registry lives in <paramref name="scratch"/>.</summary>
    public static async Task<RequestTargets> StartAsync(string model, string scratch)
    {
        string vectors = Path.Combine(scratch, "vectors");
        Directory.CreateDirectory(vectors);
        var server = await LayerSteerServer.StartAsync(new ServerOptions
        {
            Model = model, VectorsDir = vectors, Port = 0, MaxTokens = 4, MaxFitJobs = 1, MaxBodyBytes = 64 << 10, Timeout = TimeSpan.FromSeconds(30),
        });
        return new RequestTargets(server);
    }

    /// <summary>Sends <paramref name="body"/> to the target's endpoint and checks the answer; returns the status.</summary>
    public async Task<int> Send(string target, byte[] body)
    {
        var (method, path) = All[target];
        using var req = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
        req.Content.Headers.ContentType = new MediaTypeHeaderValue(target == "server-vector-put" ? "application/octet-stream" : "application/json");
        using var res = await _http.SendAsync(req);
        int status = (int)res.StatusCode;
        string text = await res.Content.ReadAsStringAsync();
        if (status >= 500) throw new Defect($"{target}: {status} {text}");
        if (status >= 400 && !IsErrorObject(text)) throw new Defect($"{target}: {status} without OpenAI's error object: {text}");
        return status;
    }

    // {"error": {"message": "…", "type": "…", "param", "code"}} with a non-empty message.
    static bool IsErrorObject(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object
                && e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String && m.GetString()!.Length > 0
                && e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String;
        }
        catch (JsonException) { return false; }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }
}
