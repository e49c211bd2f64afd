namespace LayerSteer.Judges;

/// <summary>The judge without network: WordNet for antonym/synonym, FreeDict for English→French/German;
/// each resource is loaded on first use and kept for the judge's lifetime.</summary>
public sealed class OfflineJudge : IJudge
{
    readonly Lazy<WordNet> wordNet;
    readonly Lazy<FreeDict> french, german;

    public OfflineJudge(JudgeOptions options)
    {
        wordNet = new(() => WordNet.Load(options.WordNet));
        french = new(() => FreeDict.Load(options.FreeDict, "eng-fra", ["le", "la", "les", "l'", "un", "une"]));
        german = new(() => FreeDict.Load(options.FreeDict, "eng-deu", ["der", "die", "das", "ein", "eine"]));
    }

    public Verdict Judge(JudgeTask task, string input, string prediction) => task switch
    {
        JudgeTask.Antonym => wordNet.Value.Antonym(input, prediction),
        JudgeTask.Synonym => wordNet.Value.Synonym(input, prediction),
        JudgeTask.EnglishFrench => french.Value.Judge(input, prediction),
        JudgeTask.EnglishGerman => german.Value.Judge(input, prediction),
        _ => throw new ArgumentOutOfRangeException(nameof(task)),
    };
}
