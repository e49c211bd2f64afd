namespace LayerSteer.Tests.Support;

/// <summary>The repository checkout the tests run from (the folder holding LayerSteer.slnx).</summary>
public static class Repo
{
    public static string Root { get; } = LayerSteer.Cli.SharedData.RepoRoot ?? throw new InvalidOperationException("tests must run inside the repository checkout");
}
