namespace LayerSteer.Hub;

/// <summary>Finds the project's ../shared folder (models, fixtures, data) without ever copying it.</summary>
public static class SharedData
{
    /// <summary>$LAYERSTEER_SHARED, else a "shared" folder beside the repository (or the current directory) that holds DESIGN.md.</summary>
    public static string? Root { get; } = Find();

    public static string? PathTo(params string[] parts) =>
        Root is null ? null : Path.Combine([Root, .. parts]);

    static string? Find()
    {
        string? env = Environment.GetEnvironmentVariable("LAYERSTEER_SHARED");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
            {
                string candidate = Path.Combine(d.FullName, "..", "shared");
                if (File.Exists(Path.Combine(d.FullName, "LayerSteer.slnx")) && File.Exists(Path.Combine(candidate, "DESIGN.md")))
                    return Path.GetFullPath(candidate);
            }
        }
        return null;
    }
}
