using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LayerSteer.Intervention;

namespace LayerSteer.Server;

/// <summary>Settings of `layersteer loadtest`: bounded in requests and time, against a loopback server only.</summary>
public sealed record LoadTestOptions
{
    public required Uri Url { get; init; }
    public string? ApiKey { get; init; }
    public int Requests { get; init; } = 1000;
    public int Concurrency { get; init; } = 64;
    public TimeSpan MaxTime { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>The server's --max-body: the oversize request is one KiB past it.</summary>
    public long MaxBody { get; init; } = 1 << 20;
    public int MaxTokens { get; init; } = 24;

    public void Check()
    {
        if (!ServerOptions.IsLoopback(Url.Host) && Url.Host != "[::1]") throw new LayerSteerException($"--url {Url}: the load test targets loopback servers only (127.0.0.1, ::1, localhost)");
        if (Requests is < 1 or > 100_000) throw new LayerSteerException($"--requests must be in 1..100000 (got {Requests})");
        if (Concurrency is < 1 or > 1024) throw new LayerSteerException($"--concurrency must be in 1..1024 (got {Concurrency})");
        if (MaxTime <= TimeSpan.Zero || MaxTime > TimeSpan.FromHours(1)) throw new LayerSteerException($"--max-time must be in (0, 1h] (got {MaxTime})");
    }
}

/// <summary>What one request of the load test was and what came back.</summary>
public sealed record LoadResult(string Kind, bool Valid, int Status, bool HasMessage, double Seconds, int CompletionTokens, string? Problem);

/// <summary>The load test's verdict: counts, failures and the server's memory before and after.</summary>
public sealed record LoadReport(IReadOnlyList<LoadResult> Results, long IdleBytes, long AfterBytes, double Seconds, bool TimedOut)
{
    public IEnumerable<LoadResult> Failures => Results.Where(r => r.Problem != null);
    public double MemoryChange => IdleBytes == 0 ? 0 : (double)(AfterBytes - IdleBytes) / IdleBytes;
    public bool Passed => !TimedOut && !Failures.Any() && MemoryChange <= 0.10;
}

/// <summary>Throughput at one concurrency: completion tokens per second and request latency percentiles.</summary>
public sealed record ThroughputPoint(int Concurrency, int Requests, int Tokens, double Seconds, double P50, double P95)
{
    public double TokensPerSecond => Tokens / Seconds;
}

/// <summary>`layersteer loadtest`: a mixed stream of valid and hostile requests (a third bad: malformed JSON, unknown vector,
/// wrong-model vector, oversize body, negative max_tokens, invalid UTF-8, a disconnect mid-stream) at a fixed concurrency,
/// checking that valid ones succeed, bad ones get a 4xx with a message, and the server's memory returns to its idle level;
/// and a throughput mode (tokens/s and latency at several concurrencies).</summary>
public sealed class LoadTest(LoadTestOptions o) : IDisposable
{
    static readonly string[] Words = ["hot", "big", "fast", "happy", "early", "light", "strong", "open", "high", "young", "rich", "wet"];
    static readonly string[] BadKinds = ["malformed-json", "unknown-vector", "wrong-model-vector", "oversize-body", "negative-max-tokens", "invalid-utf8", "disconnect"];
    readonly HttpClient _http = Client(o);

    static HttpClient Client(LoadTestOptions o)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = o.Concurrency + 4 }) { BaseAddress = o.Url, Timeout = TimeSpan.FromMinutes(2) };
        if (o.ApiKey != null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", o.ApiKey);
        return http;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The mixed run: request i is bad when i % 3 == 2 (cycling through the kinds), valid otherwise. The idle level is
    /// measured after a warm-up pass of the same mix at the same concurrency (code paths compiled, pools grown), so the check
    /// compares the server at rest before and after the load.</summary>
    public async Task<LoadReport> Mixed()
    {
        o.Check();
        var vector = await FirstVector();
        using var deadline = new CancellationTokenSource(o.MaxTime);
        var (warm, _) = await Pass(4 * o.Concurrency, vector, deadline.Token);
        if (warm.FirstOrDefault(r => r?.Problem != null) is { } w) throw new LayerSteerException($"warm-up request failed: {w.Problem}");
        long idle = await SettledMemory();
        var clock = Stopwatch.StartNew();
        var (results, timedOut) = await Pass(o.Requests, vector, deadline.Token);
        double seconds = clock.Elapsed.TotalSeconds;
        long after = await SettledMemory();
        return new LoadReport(results.Where(r => r != null).ToList(), idle, after, seconds, timedOut || results.Any(r => r == null));
    }

    async Task<(LoadResult[] Results, bool TimedOut)> Pass(int count, ServerVector vector, CancellationToken deadline)
    {
        var results = new LoadResult[count];
        int next = -1;
        bool timedOut = false;
        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count && !deadline.IsCancellationRequested)
            {
                try { results[i] = i % 3 == 2 ? await Bad(BadKinds[(i / 3) % BadKinds.Length], vector.Width, deadline) : await Valid(i, vector); }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested) { timedOut = true; }
                catch (HttpRequestException e) { results[i] = new LoadResult("?", i % 3 != 2, 0, false, 0, 0, $"request failed: {e.Message}"); }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, o.Concurrency).Select(_ => Task.Run(Worker)));
        return (results, timedOut);
    }

    /// <summary>Tokens/s and latency of greedy completions (<paramref name="maxTokens"/> each) at each concurrency, after a warm-up
    /// that runs every concurrency for at least <see cref="WarmUp"/> (the server's decode path compiled at every batch size, so
    /// no point measures the JIT).</summary>
    public async Task<List<ThroughputPoint>> Throughput(int[] concurrencies, int requestsPerStream, int maxTokens)
    {
        o.Check();
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < WarmUp) foreach (int c in concurrencies) await Streams(c, c, maxTokens);
        var points = new List<ThroughputPoint>();
        foreach (int c in concurrencies)
        {
            var clock = Stopwatch.StartNew();
            var results = await Streams(c, c * requestsPerStream, maxTokens);
            double seconds = clock.Elapsed.TotalSeconds;
            var lat = results.Select(r => r.Seconds).Order().ToArray();
            points.Add(new ThroughputPoint(c, results.Length, results.Sum(r => r.CompletionTokens), seconds, Percentile(lat, 0.5), Percentile(lat, 0.95)));
        }
        return points;
    }

    static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);   // on 2 busy cores tiered compilation of the server runs ~10 s

    static double Percentile(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    // n completions over c concurrent streams, each stream sending its next request when the last one is answered.
    async Task<LoadResult[]> Streams(int c, int n, int maxTokens)
    {
        var results = new LoadResult[n];
        int next = -1;
        await Task.WhenAll(Enumerable.Range(0, c).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < n) results[i] = await Completion(i, maxTokens);
        })));
        if (results.FirstOrDefault(r => r.Problem != null) is { } bad) throw new LayerSteerException($"throughput run at concurrency {c}: {bad.Problem}");
        return results;
    }

    // The registry's first vector (named requests use it, inline ones copy its site and width); none: Name null, Width 0.
    sealed record ServerVector(string? Name, int Width, string Site);

    async Task<ServerVector> FirstVector()
    {
        using var r = await _http.GetAsync("v1/vectors");
        if (!r.IsSuccessStatusCode) throw new LayerSteerException($"{o.Url}v1/vectors answered {(int)r.StatusCode}: is this a layersteer server?");
        var data = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("data");
        if (data.GetArrayLength() == 0) return new(null, 0, SteeringSpec.SiteName(VectorSite.OProjInput));
        var v = data[0];
        return new(v.GetProperty("name").GetString(), v.GetProperty("width").GetInt32(), v.GetProperty("site").GetString()!);
    }

    // The server's working set at rest: the lowest of six readings a second apart while nothing runs (it trims itself once a
    // burst is over; the operating system takes a moment to see the pages go). Idle and after are measured the same way.
    async Task<long> SettledMemory()
    {
        long low = long.MaxValue;
        for (int quiet = 0, polls = 0; quiet < 6 && polls < 60; polls++)
        {
            await Task.Delay(1000);
            var h = JsonDocument.Parse(await _http.GetStringAsync("health")).RootElement;
            if (h.GetProperty("active").GetInt32() > 0 || h.GetProperty("queued").GetInt32() > 0) { quiet = 0; continue; }
            low = Math.Min(low, h.GetProperty("memory_bytes").GetInt64());
            quiet++;
        }
        return low == long.MaxValue ? 0 : low;
    }

    // ---------------------------------------------------------------- requests

    Task<LoadResult> Completion(int i, int maxTokens) => Send("throughput", true, "v1/completions",
        Json(new { prompt = $"Q: {Words[i % Words.Length]}\nA:", max_tokens = maxTokens, temperature = 0 }));

    Task<LoadResult> Valid(int i, ServerVector vector)
    {
        string word = Words[i % Words.Length];
        object? steering = (i % 4) switch
        {
            0 => null,
            1 when vector.Name != null => new { vectors = new object[] { new { name = vector.Name, scale = 0.5 + (i % 5) * 0.25 } } },
            2 when vector.Width > 0 => new { vectors = new object[] { new { layer = 0, site = vector.Site, data = Inline(vector.Width, i), scale = 0.1 } }, apply = "all" },
            _ => new { vectors = Array.Empty<object>() },
        };
        bool chat = i % 2 == 0, stream = i % 5 == 0;
        int maxTokens = 4 + i % o.MaxTokens;
        object body = chat
            ? new { messages = new[] { new { role = "user", content = word } }, max_tokens = maxTokens, temperature = i % 3 == 0 ? 0 : 0.7, seed = i, stream, steering }
            : new { prompt = $"Q: {word}\nA:", max_tokens = maxTokens, temperature = i % 3 == 0 ? 0 : 0.7, seed = i, stream, steering };
        return Send(chat ? "chat" : "completion", true, chat ? "v1/chat/completions" : "v1/completions", Json(body));
    }

    static string Inline(int width, int seed)
    {
        var rng = new Random(seed);
        var v = Enumerable.Range(0, width).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        return Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan()));
    }

    async Task<LoadResult> Bad(string kind, int width, CancellationToken ct)
    {
        byte[] P(string json) => Encoding.UTF8.GetBytes(json);
        switch (kind)
        {
            case "malformed-json": return await Send(kind, false, "v1/completions", P("{\"prompt\": \"Q: hot\\nA:\", \"max_tokens\": "));
            case "unknown-vector": return await Send(kind, false, "v1/completions", Json(new { prompt = "Q: hot\nA:", steering = new { vectors = new[] { new { name = "no-such-vector" } } } }));
            case "negative-max-tokens": return await Send(kind, false, "v1/chat/completions", Json(new { messages = new[] { new { role = "user", content = "hot" } }, max_tokens = -5 }));
            case "invalid-utf8": return await Send(kind, false, "v1/completions", [.. P("{\"prompt\": \"Q: h"), 0xFF, 0xC0, .. P("t\"}")]);
            case "oversize-body": return await Send(kind, false, "v1/completions", P($"{{\"prompt\": \"{new string('a', (int)o.MaxBody + 1024)}\"}}"));
            case "wrong-model-vector":
                // Inline data of another model's width, or an upload of a vector file fitted on another model.
                if (width == 0 || Random.Shared.Next(2) == 0)
                    return await Send(kind, false, "v1/completions", Json(new { prompt = "Q: hot\nA:", steering = new { vectors = new[] { new { layer = 0, data = Inline(width + 8, 1) } } } }));
                return await Send(kind, false, "v1/vectors/loadtest-foreign", ForeignVector(width), "PUT");
            default: return await Disconnect(ct);
        }
    }

    static byte[] ForeignVector(int width)
    {
        string path = Path.Combine(Path.GetTempPath(), $"layersteer-foreign-{Guid.NewGuid():N}.safetensors");
        try
        {
            var header = new VectorHeader
            {
                Format = SteeringVector.Format, Fingerprint = "another-model", Architecture = "llama", Layer = 0, Site = VectorSite.OProjInput,
                Apply = ApplyMode.Last, Width = width, Task = "foreign",
            };
            new SteeringVector(new float[width], header).Save(path);
            return File.ReadAllBytes(path);
        }
        finally { File.Delete(path); }
    }

    static byte[] Json(object body) => JsonSerializer.SerializeToUtf8Bytes(body);

    async Task<LoadResult> Send(string kind, bool valid, string path, byte[] body, string method = "POST")
    {
        var clock = Stopwatch.StartNew();
        using var req = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
        req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var r = await _http.SendAsync(req);
        string text = await r.Content.ReadAsStringAsync();
        int status = (int)r.StatusCode;
        bool message = false;
        int tokens = 0;
        string? problem = null;
        try
        {
            if (text.StartsWith("data: "))
            {
                if (!text.TrimEnd().EndsWith("data: [DONE]")) problem = "the stream did not end with [DONE]";
                tokens = text.Split("\n\n").Count(l => l.Contains("\"delta\":{\"content\"") || l.Contains("\"text\":\""));
            }
            else
            {
                var j = JsonDocument.Parse(text).RootElement;
                message = j.TryGetProperty("error", out var e) && e.TryGetProperty("message", out var m) && m.GetString() is { Length: > 0 };
                if (j.TryGetProperty("usage", out var u)) tokens = u.GetProperty("completion_tokens").GetInt32();
            }
        }
        catch (JsonException) { problem = $"answer is not JSON: {text[..Math.Min(120, text.Length)]}"; }
        if (valid && status != 200) problem ??= $"{kind}: valid request got {status}: {text[..Math.Min(200, text.Length)]}";
        if (!valid && (status is < 400 or >= 500 || !message)) problem ??= $"{kind}: bad request got {status}{(message ? "" : " without an error message")}";
        return new LoadResult(kind, valid, status, message, clock.Elapsed.TotalSeconds, tokens, problem);
    }

    // Starts a stream, reads its first event, and hangs up.
    async Task<LoadResult> Disconnect(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var req = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = new ByteArrayContent(Json(new { prompt = "Q: hot\nA:", max_tokens = o.MaxTokens, stream = true, temperature = 0.9 })) };
        req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var r = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
        await using var s = await r.Content.ReadAsStreamAsync(ct);
        await s.ReadAsync(new byte[64], ct);
        return new LoadResult("disconnect", false, (int)r.StatusCode, true, clock.Elapsed.TotalSeconds, 0,
            (int)r.StatusCode is 200 or 429 ? null : $"disconnect: the stream answered {(int)r.StatusCode}");
    }

    /// <summary>One line per request kind, then the verdict.</summary>
    public static IEnumerable<string> Describe(LoadReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var g in r.Results.GroupBy(x => x.Kind).OrderBy(g => g.Key))
            yield return string.Format(inv, "{0,-20} {1,5} requests  statuses {2}", g.Key, g.Count(),
                string.Join(" ", g.GroupBy(x => x.Status).OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Count()}")));
        foreach (var f in r.Failures.Take(10)) yield return "FAIL " + f.Problem;
        yield return string.Format(inv, "loadtest requests={0} valid_ok={1}/{2} bad_4xx={3}/{4} server_5xx={5} seconds={6:F1} memory_idle_mb={7:F1} memory_after_mb={8:F1} change={9:+0.0;-0.0}% {10}",
            r.Results.Count, r.Results.Count(x => x.Valid && x.Problem == null), r.Results.Count(x => x.Valid),
            r.Results.Count(x => !x.Valid && x.Problem == null), r.Results.Count(x => !x.Valid), r.Results.Count(x => x.Status >= 500),
            r.Seconds, r.IdleBytes / 1048576.0, r.AfterBytes / 1048576.0, 100 * r.MemoryChange, r.Passed ? "PASS" : r.TimedOut ? "TIMEOUT" : "FAIL");
    }
}
