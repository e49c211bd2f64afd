namespace LayerSteer.Tests.Support;

/// <summary>The models the repository itself ships: tests on them run on a clean clone, with nothing beside it.</summary>
public static class TestModels
{
    /// <summary>models/testbed-v1, the default model (built by `layersteer testbed build`).</summary>
    public static string Testbed { get; } = Path.Combine(Repo.Root, "models", "testbed-v1");
}
