namespace LayerSteer.Judges;

/// <summary>The four tasks the paper judges with GPT-4 (named like the function_vectors datasets).</summary>
public enum JudgeTask { Antonym, Synonym, EnglishFrench, EnglishGerman }

/// <summary>Task names on the command line and in dataset files ("antonym", "english-french", ...).</summary>
public static class JudgeTasks
{
    public static readonly string[] Names = ["antonym", "synonym", "english-french", "english-german"];

    public static string Name(JudgeTask task) => Names[(int)task];

    /// <summary>False for tasks no judge covers (e.g. "country-capital"): callers fall back to exact match.</summary>
    public static bool TryParse(string name, out JudgeTask task)
    {
        int i = Array.IndexOf(Names, name.Trim().ToLowerInvariant());
        task = i < 0 ? default : (JudgeTask)i;
        return i >= 0;
    }

    public static JudgeTask Parse(string name) => TryParse(name, out var task) ? task
        : throw new LayerSteerException($"no judge for task '{name}' (judged tasks: {string.Join(", ", Names)})");
}
