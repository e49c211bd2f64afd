namespace LayerSteer.Cli;

/// <summary>Finds the repository checkout (the folder holding LayerSteer.slnx) and the developer's ../shared folder
/// (models, fixtures, data) beside it, without ever copying them: the CLI's concern, passed to the library as paths.</summary>
public static class SharedData
{
    /// <summary>The checkout above the current directory or the binary, else null (an installed binary).</summary>
    public static string? RepoRoot { get; } = FindRepo();

    /// <summary>$LAYERSTEER_SHARED, else a "shared" folder beside the repository that holds DESIGN.md.</summary>
    public static string? Root { get; } = FindShared();

    public static string? PathTo(params string[] parts) => Root is null ? null : Path.Combine([Root, .. parts]);

    public static string? RepoPath(params string[] parts) => RepoRoot is null ? null : Path.Combine([RepoRoot, .. parts]);

    /// <summary>function_vectors-style task folders the CLI looks NAMEs up in after --data and the model's tasks/: the
    /// repository's data/function_vectors, then ../shared's.</summary>
    public static IEnumerable<string> FunctionVectorDirs =>
        new[] { RepoPath("data", "function_vectors"), PathTo("data", "function_vectors") }.Where(d => d != null && Directory.Exists(d)).Select(d => d!);

    static string? FindRepo()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "LayerSteer.slnx"))) return d.FullName;
        return null;
    }

    static string? FindShared()
    {
        string? env = Environment.GetEnvironmentVariable("LAYERSTEER_SHARED");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        string? candidate = RepoRoot is null ? null : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
        return candidate != null && File.Exists(Path.Combine(candidate, "DESIGN.md")) ? candidate : null;
    }
}
