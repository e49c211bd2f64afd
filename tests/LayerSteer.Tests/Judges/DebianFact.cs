using LayerSteer.Judges;

namespace LayerSteer.Tests.Judges;

/// <summary>A fact that needs the Debian judge resources; skipped with a message saying which are absent.</summary>
public sealed class DebianFactAttribute : FactAttribute
{
    public DebianFactAttribute()
    {
        if (Debian.Missing is { } missing) Skip = missing;
    }
}

/// <summary>A theory that needs the Debian judge resources; skipped with a message saying which are absent.</summary>
public sealed class DebianTheoryAttribute : TheoryAttribute
{
    public DebianTheoryAttribute()
    {
        if (Debian.Missing is { } missing) Skip = missing;
    }
}

/// <summary>The Debian packages wordnet-base and dict-freedict-eng-{fra,deu}, where the offline judge finds them.</summary>
public static class Debian
{
    public static readonly JudgeOptions Options = new();

    static readonly Lazy<OfflineJudge> judge = new(() => new OfflineJudge(Options));

    /// <summary>One offline judge for all tests, so WordNet and the dictionaries load once.</summary>
    public static OfflineJudge Judge => judge.Value;

    public static string? Missing
    {
        get
        {
            string[] needed =
            [
                Path.Combine(Options.WordNet, "index.noun"),
                Path.Combine(Options.FreeDict, "freedict-eng-fra.dict.dz"),
                Path.Combine(Options.FreeDict, "freedict-eng-deu.dict.dz"),
            ];
            var absent = needed.Where(p => !File.Exists(p)).ToList();
            return absent.Count == 0 ? null
                : $"{string.Join(", ", absent)} not found (apt-get install wordnet-base dict-freedict-eng-fra dict-freedict-eng-deu, or set $LAYERSTEER_WORDNET / $LAYERSTEER_FREEDICT)";
        }
    }
}
