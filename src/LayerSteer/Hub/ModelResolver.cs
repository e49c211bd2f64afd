namespace LayerSteer.Hub;

/// <summary>Turns what the user typed (a folder, a llama2.c .bin, or ORG/NAME) into a local model path, never touching the network.</summary>
public static class ModelResolver
{
    /// <summary>An existing folder or .bin file as is; else the cached snapshot of repository <paramref name="spec"/> at <paramref name="revision"/>.</summary>
    public static string Resolve(string spec, string revision = "main", string? cacheRoot = null)
    {
        if (Directory.Exists(spec)) return Path.GetFullPath(spec);
        if (File.Exists(spec))
        {
            if (spec.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)) return Path.GetFullPath(spec);
            throw LayerSteerException.InFile(spec, "expected a model folder or a llama2.c .bin checkpoint");
        }
        if (!HfCache.IsRepoId(spec)) throw LayerSteerException.InFile(spec, "no such folder or file, and not a hub repository id (ORG/NAME)");
        if (!HfCache.IsRevision(revision)) throw new LayerSteerException($"invalid revision \"{revision}\"");

        string root = cacheRoot ?? HfCache.DefaultRoot();
        string repo = HfCache.RepoFolder(root, spec);
        string refFile = HfCache.RefFile(repo, revision);
        string? sha = File.Exists(refFile) ? File.ReadAllText(refFile).Trim() : revision;
        string snapshot = HfCache.SnapshotFolder(repo, sha);
        if (HfCache.IsRevision(sha) && Directory.Exists(snapshot)) return snapshot;
        throw new LayerSteerException($"{spec}: not found locally (looked for revision \"{revision}\" in {root}); run `layersteer download {spec}`");
    }
}
