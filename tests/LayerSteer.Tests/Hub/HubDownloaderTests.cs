using System.Diagnostics;
using System.Security.Cryptography;
using LayerSteer.Hub;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Hub;

public class HubDownloaderTests
{
    static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    static FakeHub TinyRepo()
    {
        var hub = new FakeHub();
        hub.Files["config.json"] = """{"model_type": "llama"}"""u8.ToArray();
        hub.Files["tokenizer.json"] = """{"model": {}}"""u8.ToArray();
        hub.Files["model.safetensors"] = RandomBytes(3_000_000, 1);
        hub.Files["README.md"] = "# tiny"u8.ToArray();
        hub.Files["pytorch_model.bin"] = RandomBytes(1000, 2);
        return hub;
    }

    static HubDownloader Downloader(string endpoint, TempDir cache) =>
        new(endpoint, cache.Path, token: "") { RetryDelay = TimeSpan.FromMilliseconds(10) };

    static string[] SnapshotFiles(TempDir cache) =>
        Directory.Exists(cache.File("models--org--tiny/snapshots"))
            ? Directory.GetFiles(cache.File("models--org--tiny/snapshots"), "*", SearchOption.AllDirectories) : [];

    [Fact]
    public async Task Downloads_model_files_into_the_HF_cache_layout()
    {
        using var hub = TinyRepo();
        using var cache = new TempDir();
        using var dl = Downloader(hub.Endpoint, cache);
        var seen = new List<FileProgress>();
        string snapshot = await dl.DownloadAsync("org/tiny", progress: new SyncProgress(seen.Add));

        Assert.Equal(cache.File($"models--org--tiny/snapshots/{FakeHub.Sha}"), snapshot);
        Assert.Equal(["config.json", "model.safetensors", "tokenizer.json"], Directory.GetFiles(snapshot).Select(Path.GetFileName).Order());
        foreach (string f in Directory.GetFiles(snapshot)) Assert.Equal(hub.Files[Path.GetFileName(f)], File.ReadAllBytes(f));
        Assert.Equal(FakeHub.Sha, File.ReadAllText(cache.File("models--org--tiny/refs/main")));
        string lfsBlob = Convert.ToHexStringLower(SHA256.HashData(hub.Files["model.safetensors"]));
        Assert.True(File.Exists(cache.File($"models--org--tiny/blobs/{lfsBlob}")));
        Assert.NotNull(new FileInfo(Path.Combine(snapshot, "model.safetensors")).LinkTarget);
        Assert.Equal(3_000_000, seen.Last(p => p.File == "model.safetensors").Done);
        Assert.Equal(snapshot, ModelResolver.Resolve("org/tiny", cacheRoot: cache.Path));

        int before = hub.Requests.Count;
        Assert.Equal(snapshot, await dl.DownloadAsync("org/tiny"));
        Assert.Equal(["GET /api/models/org/tiny/revision/main"], hub.Requests.Skip(before)); // nothing fetched twice
    }

    [Fact]
    public async Task Include_patterns_add_files()
    {
        using var hub = TinyRepo();
        using var cache = new TempDir();
        using var dl = Downloader(hub.Endpoint, cache);
        string snapshot = await dl.DownloadAsync("org/tiny", includePatterns: ["*.md", "pytorch_*"]);
        Assert.True(File.Exists(Path.Combine(snapshot, "README.md")));
        Assert.True(File.Exists(Path.Combine(snapshot, "pytorch_model.bin")));
    }

    [Fact]
    public async Task Dropped_connection_resumes_with_a_range_request()
    {
        using var hub = TinyRepo();
        hub.DropOnceAfter["model.safetensors"] = 1_000_000;
        using var cache = new TempDir();
        using var dl = Downloader(hub.Endpoint, cache);
        string snapshot = await dl.DownloadAsync("org/tiny");

        Assert.Equal(hub.Files["model.safetensors"], File.ReadAllBytes(Path.Combine(snapshot, "model.safetensors")));
        var gets = hub.Requests.Where(r => r.Contains("/model.safetensors")).ToList();
        Assert.Equal(2, gets.Count);
        Assert.DoesNotContain("bytes=", gets[0]);
        Assert.Matches(@"bytes=[1-9]\d*-$", gets[1]); // continued from what had arrived
    }

    [Fact]
    public async Task Sha256_mismatch_is_a_clear_error_and_leaves_no_snapshot()
    {
        using var hub = TinyRepo();
        hub.WrongSha.Add("model.safetensors");
        using var cache = new TempDir();
        using var dl = Downloader(hub.Endpoint, cache);
        var e = await Assert.ThrowsAsync<LayerSteerException>(() => dl.DownloadAsync("org/tiny"));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("sha256 mismatch", e.Message);
        Assert.Empty(SnapshotFiles(cache));
        Assert.False(File.Exists(cache.File("models--org--tiny/refs/main")));
        Assert.Empty(Directory.GetFiles(cache.File("models--org--tiny/blobs"), "*.incomplete"));
    }

    [Fact]
    public async Task Unreachable_hub_fails_at_once_naming_the_endpoint_and_the_local_alternative()
    {
        using var cache = new TempDir();
        string endpoint = $"http://127.0.0.1:{LoopbackServer.FreePort()}";
        using var dl = Downloader(endpoint, cache);
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<LayerSteerException>(() => dl.DownloadAsync("org/tiny"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Contains(endpoint, e.Message);
        Assert.Contains("local model folder", e.Message);
        Assert.Empty(SnapshotFiles(cache));
    }

    [Fact]
    public async Task Unknown_repository_is_a_clear_404()
    {
        using var hub = TinyRepo();
        using var cache = new TempDir();
        using var dl = Downloader(hub.Endpoint, cache);
        var e = await Assert.ThrowsAsync<LayerSteerException>(() => dl.DownloadAsync("org/other"));
        Assert.Contains("org/other", e.Message);
        Assert.Contains("HTTP 404", e.Message);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    sealed class SyncProgress(Action<FileProgress> report) : IProgress<FileProgress>
    {
        public void Report(FileProgress value) => report(value);
    }
}
