using LayerSteer.Cli;

namespace LayerSteer.Tests.Support;

/// <summary>A fact that needs ../shared; skipped with a message saying so when it is absent.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (SharedData.Root is null) Skip = "../shared not found beside the repository (set LAYERSTEER_SHARED to its path)";
    }
}

/// <summary>A theory that needs ../shared; skipped with a message saying so when it is absent.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (SharedData.Root is null) Skip = "../shared not found beside the repository (set LAYERSTEER_SHARED to its path)";
    }
}

/// <summary>Paths inside ../shared for tests (only valid inside a SharedFact/SharedTheory).</summary>
public static class Shared
{
    public static string Path(params string[] parts) => SharedData.PathTo(parts)!;
    public static string Fixture(string name) => Path("fixtures", name);
    public static string Model(string name) => Path("models", name);
}

/// <summary>A scratch folder deleted when the test ends.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("layersteer-test-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}
