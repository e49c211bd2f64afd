namespace LayerSteer.Hub;

/// <summary>Downloads a model's config, tokenizer and safetensors files from the Hugging Face hub into the shared HF cache layout.</summary>
public sealed class HubDownloader : IDisposable
{
    readonly HttpClient _http;

    /// <summary>$HF_ENDPOINT, else https://huggingface.co (no trailing slash).</summary>
    public string Endpoint { get; }
    public string CacheRoot { get; }
    public int Retries { get; init; } = 5;
    /// <summary>First pause between retries; doubled after each failure.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How long a connection may deliver nothing before the attempt is retried.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Limit for the first API call; an unreachable hub fails within it (or at once when refused).</summary>
    public TimeSpan ApiTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <param name="token">Bearer token for private or gated repositories; null reads $HF_TOKEN.</param>
    public HubDownloader(string? endpoint = null, string? cacheRoot = null, string? token = null, TimeSpan? connectTimeout = null)
    {
        string? env = Environment.GetEnvironmentVariable("HF_ENDPOINT");
        Endpoint = (endpoint ?? (string.IsNullOrEmpty(env) ? "https://huggingface.co" : env)).TrimEnd('/');
        CacheRoot = cacheRoot ?? HfCache.DefaultRoot();
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(10) }) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("layersteer/0.1");
        token ??= Environment.GetEnvironmentVariable("HF_TOKEN");
        if (!string.IsNullOrEmpty(token)) _http.DefaultRequestHeaders.Authorization = new("Bearer", token);
    }

    /// <summary>Fetches the files a model needs (see <see cref="HubFileSelection"/>) and returns the local snapshot folder.
    /// Files already in the snapshot are skipped; refs/REVISION is written only when every file arrived intact.</summary>
    public async Task<string> DownloadAsync(string repoId, string revision = "main", IReadOnlyList<string>? includePatterns = null,
                                            IProgress<FileProgress>? progress = null, CancellationToken ct = default)
    {
        if (!HfCache.IsRepoId(repoId)) throw new LayerSteerException($"\"{repoId}\" is not a hub repository id (ORG/NAME)");
        if (!HfCache.IsRevision(revision)) throw new LayerSteerException($"invalid revision \"{revision}\"");
        var info = await HubApi.FetchAsync(_http, Endpoint, repoId, revision, ApiTimeout, ct);
        var files = info.Files.Where(f => HubFileSelection.Wanted(f.Name, includePatterns)).ToList();
        if (files.Count == 0)
            throw new LayerSteerException($"{repoId} at {info.Sha} has no model files (config.json, *.safetensors); it has: {string.Join(", ", info.Files.Select(f => f.Name))}");

        string repo = HfCache.RepoFolder(CacheRoot, repoId), snapshot = HfCache.SnapshotFolder(repo, info.Sha);
        var blobs = new BlobDownload(_http, Endpoint, Retries, RetryDelay, StallTimeout);
        var links = new List<(string Blob, string Target)>();
        foreach (var f in files)
        {
            string target = Path.Combine(snapshot, f.Name);
            if (File.Exists(target)) continue;
            string blob = HfCache.BlobFile(repo, f.BlobName ?? throw new LayerSteerException($"{Endpoint}: the hub API gave no blob id for {repoId}/{f.Name}"));
            if (!File.Exists(blob))
            {
                string url = $"{Endpoint}/{repoId}/resolve/{info.Sha}/{string.Join('/', f.Name.Split('/').Select(Uri.EscapeDataString))}";
                await blobs.FetchAsync(f, url, blob, progress, ct);
            }
            links.Add((blob, target));
        }
        // Link only after every blob is verified, so a failed download leaves no partial snapshot.
        foreach (var (blob, target) in links) HfCache.Link(blob, target);
        if (revision != info.Sha)
        {
            string refFile = HfCache.RefFile(repo, revision);
            Directory.CreateDirectory(Path.GetDirectoryName(refFile)!);
            Formats.AtomicFile.Write(refFile, s => s.Write(System.Text.Encoding.ASCII.GetBytes(info.Sha)));
        }
        return snapshot;
    }

    public void Dispose() => _http.Dispose();
}
