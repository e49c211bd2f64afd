using System.Net;
using LayerSteer.Chat;
using LayerSteer.Hub;
using LayerSteer.Inference;
using LayerSteer.Intervention;
using LayerSteer.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LayerSteer.Server;

/// <summary>`layersteer serve`: an OpenAI-compatible HTTP server (ASP.NET Core) around one model, with per-request steering,
/// continuous batching, a vector registry and fit jobs. Routes are mapped in <see cref="Map"/>; errors take OpenAI's shape.</summary>
public sealed class LayerSteerServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly Timer _trim;
    long _trimmedAt = -1, _seenAt = -1;
    public Serving Serving { get; }
    /// <summary>Where the server listens, e.g. http://127.0.0.1:8000/.</summary>
    public Uri Url { get; }

    LayerSteerServer(WebApplication app, Serving serving, Uri url)
    {
        (_app, Serving, Url) = (app, serving, url);
        _trim = new Timer(_ => TrimWhenIdle(), null, TrimEvery, TrimEvery);
    }

    static readonly TimeSpan TrimEvery = TimeSpan.FromSeconds(1);

    // Once a burst is over (a whole tick without a decode step), a compacting collection hands the freed KV caches (large arrays)
    // back, so an idle server returns to its idle footprint instead of keeping its peak. The gaps between one client's requests are
    // not idle: a collection there stalled the next request.
    void TrimWhenIdle()
    {
        var st = Serving.Scheduler.Stats;
        bool stepped = Interlocked.Exchange(ref _seenAt, st.Steps) != st.Steps;
        if (stepped || Serving.Scheduler.Busy || st.Steps == Interlocked.Read(ref _trimmedAt)) return;
        Interlocked.Exchange(ref _trimmedAt, st.Steps);
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>Loads the model and starts listening; <paramref name="log"/> gets one-line notes (skipped vector files, the URL).</summary>
    public static async Task<LayerSteerServer> StartAsync(ServerOptions o, Action<string>? log = null)
    {
        o.Check();
        var bundle = ModelBundle.Open(o.Model);
        var registry = new VectorRegistry(bundle.Model, o.VectorsDir);
        foreach (var (name, why) in registry.Skipped) log?.Invoke($"note: vector {name} not loaded: {why}");
        if (o.DefaultVector != null && registry.Find(o.DefaultVector) is null)
            throw new LayerSteerException($"--default-vector {o.DefaultVector}: no such vector in {o.VectorsDir}");
        // The folder beside the weights holds the tokenizer, chat template, generation config and tasks (a .bin's folder).
        string dir = Directory.Exists(bundle.Path) ? bundle.Path : Path.GetDirectoryName(Path.GetFullPath(bundle.Path))!;
        var chat = bundle.Tokenizer is null ? null : ChatPrompter.For(dir, bundle.Tokenizer, o.ChatTemplate);
        var scheduler = new BatchScheduler(bundle.Model, bundle.Tokenizer,
            new BatchLimits
            {
                MaxBatch = o.MaxBatch, KvBudgetBytes = o.KvBudgetBytes, MaxQueue = o.MaxQueue,
                // A model past the small-model size streams its weights from memory: both cores' bandwidth pays for the hand-offs.
                ParallelKernels = bundle.Model.ParameterCount * sizeof(float) > ModelLoader.SmallModelF32Bytes,
            }, GenerationConfig.EosIds(dir));
        var serving = new Serving(bundle, scheduler, registry, chat, new FitJobs(bundle, dir, registry, scheduler, o.MaxFitJobs), o);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;   // JsonArgs.ReadBody enforces --max-body, answering 413 after draining
            if (o.Host == "localhost") k.ListenLocalhost(o.Port);
            else k.Listen(IPAddress.TryParse(o.Host, out var ip) ? ip : throw new LayerSteerException($"--host {o.Host} is not an IP address (or localhost)"), o.Port);
        });
        var app = builder.Build();
        Map(app, serving);
        try { await app.StartAsync(); }
        catch (IOException e) { await app.DisposeAsync(); scheduler.Dispose(); throw new LayerSteerException($"cannot listen on {o.Host}:{o.Port}: {e.Message}"); }
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var url = new Uri(address.Replace("[::]", "127.0.0.1").TrimEnd('/') + "/");
        log?.Invoke($"serving {serving.ModelId} at {url} (max batch {o.MaxBatch}, chat template: {chat?.Template.Source ?? "none"})");
        return new LayerSteerServer(app, serving, url);
    }

    public Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    static void Map(WebApplication app, Serving s)
    {
        var gen = new GenerationEndpoints(s);
        var o = s.Options;
        app.Use(async (ctx, next) =>
        {
            try
            {
                if (o.ApiKey != null && ctx.Request.Path.StartsWithSegments("/v1") && ctx.Request.Headers.Authorization.ToString() != $"Bearer {o.ApiKey}")
                    throw new ApiError(401, "missing or wrong API key: send \"Authorization: Bearer <key>\"", "invalid_request_error", null, "invalid_api_key");
                await next(ctx);
            }
            catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested) { }   // the client left
            catch (Exception e) { await WriteError(ctx, e); }
        });

        async Task<JsonArgs> Body(HttpContext ctx) => JsonArgs.Parse(await JsonArgs.ReadBody(ctx.Request, o.MaxBodyBytes, ctx.RequestAborted));
        string Name(HttpContext ctx) => (string)ctx.Request.RouteValues["name"]!;

        app.MapGet("/health", (HttpContext ctx) =>
        {
            var st = s.Scheduler.Stats;
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            return ctx.Response.WriteAsJsonAsync(new Health("ok", s.ModelId, st.Active, st.Queued, st.KvBytesInUse, st.KvBudgetBytes, st.TokensGenerated, s.Fits.Pending,
                self.WorkingSet64, GC.GetTotalMemory(false)), Wire.Json);
        });
        app.MapGet("/v1/models", (HttpContext ctx) => ctx.Response.WriteAsJsonAsync(new ModelList([new ModelCard(s.ModelId, Created)]), Wire.Json));
        app.MapGet("/v1/models/{name}", (HttpContext ctx) => Name(ctx) == s.ModelId
            ? ctx.Response.WriteAsJsonAsync(new ModelCard(s.ModelId, Created), Wire.Json)
            : throw ApiError.NotFound($"the model \"{Name(ctx)}\" does not exist here; this server serves \"{s.ModelId}\"", "model", "model_not_found"));
        app.MapPost("/v1/completions", async (HttpContext ctx) => await gen.Completions(ctx, await Body(ctx)));
        app.MapPost("/v1/chat/completions", async (HttpContext ctx) => await gen.ChatCompletions(ctx, await Body(ctx)));
        app.MapGet("/v1/vectors", (HttpContext ctx) => ctx.Response.WriteAsJsonAsync(new VectorList(s.Registry.List().Select(v => Card(v.Name, v.Vector)).ToArray()), Wire.Json));
        app.MapGet("/v1/vectors/{name}", (HttpContext ctx) => s.Registry.Find(Name(ctx)) is { } v
            ? ctx.Response.WriteAsJsonAsync(Card(Name(ctx), v), Wire.Json) : throw VectorNotFound(Name(ctx)));
        app.MapPut("/v1/vectors/{name}", async (HttpContext ctx) =>
        {
            VectorRegistry.CheckName(Name(ctx));
            var v = s.Registry.Put(Name(ctx), await JsonArgs.ReadBody(ctx.Request, o.MaxBodyBytes, ctx.RequestAborted));
            await ctx.Response.WriteAsJsonAsync(Card(Name(ctx), v), Wire.Json);
        });
        app.MapDelete("/v1/vectors/{name}", (HttpContext ctx) => s.Registry.Delete(Name(ctx))
            ? ctx.Response.WriteAsJsonAsync(new Deletion(Name(ctx), true), Wire.Json) : throw VectorNotFound(Name(ctx)));
        app.MapPost("/v1/vectors/{name}/fit", async (HttpContext ctx) =>
        {
            var job = s.Fits.Submit(Name(ctx), await Body(ctx));
            ctx.Response.StatusCode = 202;
            await ctx.Response.WriteAsJsonAsync(job, Wire.Json);
        });
        app.MapGet("/v1/jobs/{name}", (HttpContext ctx) => s.Fits.Get(Name(ctx)) is { } job
            ? ctx.Response.WriteAsJsonAsync(job, Wire.Json) : throw ApiError.NotFound($"no fit job \"{Name(ctx)}\"", "id"));
        app.MapFallback((HttpContext ctx) => throw ApiError.NotFound($"no route {ctx.Request.Method} {ctx.Request.Path}", null, "unknown_url"));
    }

    static readonly long Created = Wire.Now;

    static ApiError VectorNotFound(string name) => ApiError.NotFound($"no vector named \"{name}\" (GET /v1/vectors lists them)", "name", "vector_not_found");

    static VectorCard Card(string name, SteeringVector v) => new(name, v.Header.Task, v.Layer, SteeringSpec.SiteName(v.Site), ApplyModes.Name(v.Apply), v.Delta.Length,
        v.Header.NonzeroHeads, v.Header.NonzeroEntries ?? v.Delta.Count(x => x != 0), v.Header.Fingerprint);

    static async Task WriteError(HttpContext ctx, Exception e)
    {
        var err = e switch
        {
            ApiError a => a,
            BadHttpRequestException b => new ApiError(b.StatusCode, b.Message, "invalid_request_error", null, b.StatusCode == 413 ? "request_too_large" : null),
            SchedulerFullException f => ApiError.Busy(f.Message),
            LayerSteerException l => ApiError.BadRequest(l.Message),
            _ => new ApiError(500, $"internal error ({e.GetType().Name}: {e.Message})", "server_error"),
        };
        if (err.Status == 500) Console.Error.WriteLine($"error: {ctx.Request.Method} {ctx.Request.Path}: {e}");
        if (ctx.Response.HasStarted) return;
        ctx.Response.Clear();
        ctx.Response.StatusCode = err.Status;
        if (err.RetryAfter is int r) ctx.Response.Headers.RetryAfter = r.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await ctx.Response.WriteAsJsonAsync(err.Body, Wire.Json);
    }

    public async ValueTask DisposeAsync()
    {
        await _trim.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Serving.Fits.Dispose();
        Serving.Scheduler.Dispose();
    }
}
