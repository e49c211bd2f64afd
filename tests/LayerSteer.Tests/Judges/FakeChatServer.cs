using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace LayerSteer.Tests.Judges;

/// <summary>An OpenAI-compatible chat server on 127.0.0.1 for tests: request n to /v1/chat/completions gets
/// script(n) — a reply, or null to never answer.</summary>
sealed class FakeChatServer : IDisposable
{
    /// <summary>HTTP status, the assistant's text (for 200) and an optional Retry-After header.</summary>
    public sealed record Reply(int Status, string Content = "", string? RetryAfter = null);

    readonly HttpListener listener = new();
    readonly Func<int, Reply?> script;
    int requests;

    public string Endpoint { get; }
    public int Requests => requests;
    public ConcurrentQueue<string> Bodies { get; } = new();

    public FakeChatServer(Func<int, Reply?> script)
    {
        this.script = script;
        Endpoint = $"http://127.0.0.1:{FreePort()}/v1";
        listener.Prefixes.Add(Endpoint + "/");
        listener.Start();
        _ = Task.Run(Serve);
    }

    /// <summary>A port nobody listens on (bound, then released).</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    async Task Serve()
    {
        while (listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => Answer(ctx));
        }
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

    public void Dispose()
    {
        listener.Abort();
    }
}
