using System.Text;

namespace LayerSteer.Tasks.Opinions;

/// <summary>Prompts for survey questions.</summary>
/// <remarks>
/// Zero-shot layout (the model's next token is the answer letter, " A", " B", …):
/// <code>
/// Question: {text}
/// A. {option 1}
/// B. {option 2}
/// Answer:
/// </code>
/// Few-shot: k training questions in the same layout, each followed by " {letter}" of the group's most common
/// option, separated by blank lines, then the test question's zero-shot prompt.
/// </remarks>
public static class OpinionPrompt
{
    public static string Build(SurveyQuestion q)
    {
        var sb = new StringBuilder("Question: ").Append(q.Text).Append('\n');
        for (int k = 0; k < q.Options.Count; k++) sb.Append(OptionLetters.Letter(k)).Append(". ").Append(q.Options[k]).Append('\n');
        return sb.Append("Answer:").ToString();
    }

    /// <summary>The shots answered with their group's most common letter, then <paramref name="test"/>.</summary>
    public static string FewShot(IEnumerable<OpinionExample> shots, SurveyQuestion test) =>
        string.Join("\n\n", shots.Select(s => Build(s.Question) + OptionLetters.Target(s.MostCommon)).Append(Build(test)));
}
