using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Hub;

/// <summary>A tiny Hugging Face hub on 127.0.0.1 (random port): the revision API and resolve/ downloads with Range and ETag.</summary>
sealed class FakeHub : IDisposable
{
    public const string Sha = "0123456789abcdef0123456789abcdef01234567";
    readonly LoopbackServer _server;

    public string Endpoint { get; }
    /// <summary>Repository files; names ending in .safetensors are served as LFS files with a sha256.</summary>
    public Dictionary<string, byte[]> Files { get; } = [];
    /// <summary>Files whose first response is cut after this many bytes (then the connection is dropped).</summary>
    public Dictionary<string, int> DropOnceAfter { get; } = [];
    /// <summary>Files whose advertised sha256 is wrong.</summary>
    public HashSet<string> WrongSha { get; } = [];
    /// <summary>Every request as "METHOD path [Range]".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public FakeHub()
    {
        _server = new LoopbackServer(Handle);
        Endpoint = _server.BaseUrl;
    }

    void Handle(HttpListenerContext ctx)
    {
        string path = ctx.Request.Url!.AbsolutePath;
        string? range = ctx.Request.Headers["Range"];
        Requests.Enqueue($"{ctx.Request.HttpMethod} {path}{(range != null ? " " + range : "")}");
        var res = ctx.Response;
        try
        {
            if (path == "/api/models/org/tiny/revision/main") Json(res, Api());
            else if (path.StartsWith($"/org/tiny/resolve/{Sha}/") && Files.TryGetValue(path[$"/org/tiny/resolve/{Sha}/".Length..], out var body))
                Serve(res, path[(path.LastIndexOf('/') + 1)..], body, range);
            else { res.StatusCode = 404; res.Close(); }
        }
        catch (HttpListenerException) { } // client went away
    }

    object Api() => new
    {
        id = "org/tiny",
        sha = Sha,
        siblings = Files.Select(f => f.Key.EndsWith(".safetensors")
            ? (object)new { rfilename = f.Key, size = f.Value.Length, blobId = BlobId(f.Value), lfs = new { sha256 = Sha256Of(f.Key), size = f.Value.Length } }
            : new { rfilename = f.Key, size = f.Value.Length, blobId = BlobId(f.Value) }),
    };

    string Sha256Of(string name) => Convert.ToHexStringLower(SHA256.HashData(WrongSha.Contains(name) ? [.. Files[name], 0] : Files[name]));
    static string BlobId(byte[] body) => Convert.ToHexStringLower(SHA1.HashData(body));

    static void Json(HttpListenerResponse res, object value)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value);
        res.ContentType = "application/json";
        res.ContentLength64 = bytes.Length;
        res.OutputStream.Write(bytes);
        res.Close();
    }

    void Serve(HttpListenerResponse res, string name, byte[] body, string? range)
    {
        long from = range != null && range.StartsWith("bytes=") && range.EndsWith('-') ? long.Parse(range[6..^1]) : 0;
        if (from >= body.Length && from > 0) { res.StatusCode = 416; res.Close(); return; }
        res.Headers["ETag"] = $"\"{BlobId(body)}\"";
        if (from > 0)
        {
            res.StatusCode = 206;
            res.Headers["Content-Range"] = $"bytes {from}-{body.Length - 1}/{body.Length}";
        }
        res.ContentLength64 = body.Length - from;
        int? cut = null;
        lock (DropOnceAfter) if (DropOnceAfter.Remove(name, out int c)) cut = c;
        res.OutputStream.Write(body, (int)from, cut ?? body.Length - (int)from);
        res.OutputStream.Flush();
        if (cut != null) res.Abort(); // fewer bytes than Content-Length, then the connection closes
        else res.Close();
    }

    public void Dispose() => _server.Dispose();
}
