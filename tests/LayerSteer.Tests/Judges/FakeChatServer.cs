using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Judges;

/// <summary>An OpenAI-compatible chat server on 127.0.0.1 for tests: request n to /v1/chat/completions gets
/// script(n) — a reply, or null to never answer.</summary>
sealed class FakeChatServer : IDisposable
{
    /// <summary>HTTP status, the assistant's text (for 200) and an optional Retry-After header.</summary>
    public sealed record Reply(int Status, string Content = "", string? RetryAfter = null);

    readonly LoopbackServer server;
    readonly Func<int, Reply?> script;
    int requests;

    public string Endpoint { get; }
    public int Requests => requests;
    public ConcurrentQueue<string> Bodies { get; } = new();

    public FakeChatServer(Func<int, Reply?> script)
    {
        this.script = script;
        server = new LoopbackServer(Answer);
        Endpoint = server.BaseUrl + "/v1";
    }

    void Answer(HttpListenerContext ctx)
    {
        using (var reader = new StreamReader(ctx.Request.InputStream)) Bodies.Enqueue(reader.ReadToEnd());
        if (ctx.Request.Url?.AbsolutePath != "/v1/chat/completions") { ctx.Response.StatusCode = 404; ctx.Response.Close(); return; }
        if (script(Interlocked.Increment(ref requests) - 1) is not { } reply) return;   // never answer
        var body = reply.Status == 200
            ? JsonSerializer.Serialize(new
            {
                id = "chatcmpl-test", @object = "chat.completion", created = 0, model = "test",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = reply.Content }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 1, completion_tokens = 1, total_tokens = 2 },
            })
            : JsonSerializer.Serialize(new { error = new { message = $"scripted {reply.Status}", type = "test" } });
        ctx.Response.StatusCode = reply.Status;
        ctx.Response.ContentType = "application/json";
        if (reply.RetryAfter is not null) ctx.Response.AddHeader("Retry-After", reply.RetryAfter);
        var bytes = Encoding.UTF8.GetBytes(body);
        ctx.Response.OutputStream.Write(bytes);
        ctx.Response.Close();
    }

    public void Dispose() => server.Dispose();
}
