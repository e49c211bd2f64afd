namespace LayerSteer.Judges;

/// <summary>Creates judges by name ("offline", "llm", "none") for the judge/eval/compare commands.</summary>
public static class Judge
{
    public static readonly string[] Kinds = ["offline", "llm", "none"];

    /// <summary>The judge of that kind, or null for "none". Create one per run and reuse it: it loads and caches lazily.</summary>
    public static IJudge? Create(string kind, JudgeOptions? options = null)
    {
        options ??= new JudgeOptions();
        return kind.Trim().ToLowerInvariant() switch
        {
            "offline" => new OfflineJudge(options),
            "llm" => new LlmJudge(options),
            "none" => null,
            _ => throw new LayerSteerException($"unknown judge '{kind}' (choose {string.Join(", ", Kinds)})"),
        };
    }
}
