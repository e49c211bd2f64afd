using LayerSteer.Hub;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Hub;

public class ModelResolverTests
{
    /// <summary>A cache holding org/name at two commits, main → aaaa and v2 → bbbb.</summary>
    static TempDir Cache()
    {
        var cache = new TempDir();
        foreach (var (rev, sha) in new[] { ("main", "aaaa"), ("v2", "bbbb") })
        {
            Directory.CreateDirectory(cache.File($"models--org--name/snapshots/{sha}"));
            Directory.CreateDirectory(cache.File("models--org--name/refs"));
            File.WriteAllText(cache.File($"models--org--name/refs/{rev}"), sha + "\n");
        }
        return cache;
    }

    [Fact]
    public void Existing_folder_and_bin_file_are_used_as_is()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.File("stories.bin"), [0]);
        File.WriteAllText(tmp.File("notes.txt"), "");
        Assert.Equal(tmp.Path, ModelResolver.Resolve(tmp.Path));
        Assert.Equal(tmp.File("stories.bin"), ModelResolver.Resolve(tmp.File("stories.bin")));
        Assert.Contains("expected a model folder or a llama2.c .bin", Assert.Throws<LayerSteerException>(() => ModelResolver.Resolve(tmp.File("notes.txt"))).Message);
    }

    [Fact]
    public void Repo_id_resolves_through_refs_to_a_snapshot()
    {
        using var cache = Cache();
        Assert.Equal(cache.File("models--org--name/snapshots/aaaa"), ModelResolver.Resolve("org/name", cacheRoot: cache.Path));
        Assert.Equal(cache.File("models--org--name/snapshots/bbbb"), ModelResolver.Resolve("org/name", "v2", cache.Path));
        Assert.Equal(cache.File("models--org--name/snapshots/bbbb"), ModelResolver.Resolve("org/name", "bbbb", cache.Path));
    }

    [Theory]
    [InlineData("org/missing", "main")]
    [InlineData("org/name", "v3")]
    public void Missing_model_says_how_to_download_it(string spec, string revision)
    {
        using var cache = Cache();
        var e = Assert.Throws<LayerSteerException>(() => ModelResolver.Resolve(spec, revision, cache.Path));
        Assert.Contains("not found locally", e.Message);
        Assert.Contains($"run `layersteer download {spec}`", e.Message);
    }

    [Theory]
    [InlineData("./no/such/folder")]
    [InlineData("org/../etc")]
    [InlineData("a/b/c")]
    public void Neither_a_path_nor_a_repo_id(string spec)
    {
        using var cache = Cache();
        Assert.Contains("not a hub repository id", Assert.Throws<LayerSteerException>(() => ModelResolver.Resolve(spec, cacheRoot: cache.Path)).Message);
    }

    [Theory]
    [InlineData("/x/hub", "/x/home", "/x/hub")]
    [InlineData(null, "/x/home", "/x/home/hub")]
    [InlineData("", "", null)]
    public void Cache_root_follows_HF_HUB_CACHE_then_HF_HOME(string? hubCache, string? hfHome, string? expected)
    {
        string root = HfCache.DefaultRoot(name => name == "HF_HUB_CACHE" ? hubCache : name == "HF_HOME" ? hfHome : null);
        Assert.Equal(expected ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache/huggingface/hub"), root);
    }
}
