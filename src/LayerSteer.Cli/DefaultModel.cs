namespace LayerSteer.Cli;

/// <summary>The model commands use when --model is not given: $LAYERSTEER_MODEL, else the testbed the repository ships
/// (models/testbed-v1), else ../shared's WordWorld or stories260K in a developer checkout.</summary>
public static class DefaultModel
{
    public const string Variable = "LAYERSTEER_MODEL";

    public static string Describe => $"${Variable}, models/testbed-v1 in the repository, ../shared/models/wordworld-v1, ../shared/models/stories260K-hf";

    public static string? Find()
    {
        string? env = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(env)) return env;
        string?[] candidates = [SharedData.RepoPath("models", "testbed-v1"), SharedData.PathTo("models", "wordworld-v1"), SharedData.PathTo("models", "stories260K-hf")];
        return candidates.FirstOrDefault(Directory.Exists);
    }
}
