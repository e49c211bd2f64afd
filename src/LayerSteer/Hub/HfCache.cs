using System.Text.RegularExpressions;

namespace LayerSteer.Hub;

/// <summary>The Hugging Face hub cache layout shared with huggingface_hub: models--ORG--NAME/{blobs, snapshots/SHA, refs/REVISION}.</summary>
public static partial class HfCache
{
    /// <summary>$HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub.</summary>
    public static string DefaultRoot() => DefaultRoot(Environment.GetEnvironmentVariable);

    internal static string DefaultRoot(Func<string, string?> env)
    {
        if (env("HF_HUB_CACHE") is { Length: > 0 } hubCache) return hubCache;
        if (env("HF_HOME") is { Length: > 0 } hfHome) return Path.Combine(hfHome, "hub");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "huggingface", "hub");
    }

    /// <summary>True for "ORG/NAME" or a bare "NAME" as the hub spells repository ids.</summary>
    public static bool IsRepoId(string spec) => RepoIdPattern().IsMatch(spec) && !spec.Contains("..") && !spec.Contains("--");

    /// <summary>True for a branch, tag or commit name that is safe to use as a path under refs/.</summary>
    public static bool IsRevision(string revision) => RevisionPattern().IsMatch(revision) && !revision.Split('/').Contains("..");

    public static string RepoFolder(string root, string repoId) => Path.Combine(root, "models--" + repoId.Replace("/", "--"));
    public static string SnapshotFolder(string repoFolder, string sha) => Path.Combine(repoFolder, "snapshots", sha);
    public static string RefFile(string repoFolder, string revision) => Path.Combine(repoFolder, "refs", revision);
    public static string BlobFile(string repoFolder, string blobName) => Path.Combine(repoFolder, "blobs", blobName);

    /// <summary>Points snapshots/SHA/FILE at its blob with a relative symlink (as huggingface_hub does), or a copy where symlinks fail.</summary>
    public static void Link(string blob, string target)
    {
        string dir = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(dir);
        File.Delete(target);
        try { File.CreateSymbolicLink(target, Path.GetRelativePath(dir, blob)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Copy(blob, target, overwrite: true);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]*(/[A-Za-z0-9][A-Za-z0-9_.\-]*)?$")]
    private static partial Regex RepoIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*$")]
    private static partial Regex RevisionPattern();
}
