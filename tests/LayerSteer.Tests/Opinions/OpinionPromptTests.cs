using LayerSteer.Tasks.Opinions;

namespace LayerSteer.Tests.Opinions;

public class OpinionPromptTests
{
    static readonly SurveyQuestion Tea = new("TEA_W1", "W1", "Tea or coffee?", ["Tea", "Coffee", "Neither"]);
    static readonly SurveyQuestion Gun = new("GUN_W1", "W1", "Own a gun?", ["Yes, I own a gun", "No"]);

    [Fact]
    public void ZeroShotLayoutIsExact()
    {
        Assert.Equal("Question: Tea or coffee?\nA. Tea\nB. Coffee\nC. Neither\nAnswer:", OpinionPrompt.Build(Tea));
    }

    [Fact]
    public void FewShotAnswersEachShotWithTheMostCommonLetter()
    {
        var shots = new[] { new OpinionExample(Tea, [0.2, 0.5, 0.3]), new OpinionExample(Gun, [0.5, 0.5]) };
        string expected =
            "Question: Tea or coffee?\nA. Tea\nB. Coffee\nC. Neither\nAnswer: B\n\n" +
            "Question: Own a gun?\nA. Yes, I own a gun\nB. No\nAnswer: A\n\n" + // a tie goes to the first option
            "Question: Tea or coffee?\nA. Tea\nB. Coffee\nC. Neither\nAnswer:";
        Assert.Equal(expected, OpinionPrompt.FewShot(shots, Tea));
        Assert.Equal(OpinionPrompt.Build(Gun), OpinionPrompt.FewShot([], Gun));
    }

    [Fact]
    public void LetterTokensAreTheSingleTokenOfSpaceLetter()
    {
        // A toy tokenizer: " A".." Z" are single tokens 100.., everything else splits per character.
        int[] Encode(string s) => s.Length == 2 && s[0] == ' ' && char.IsAsciiLetterUpper(s[1]) ? [100 + s[1] - 'A'] : s.Select(c => (int)c).ToArray();
        Assert.Equal([100, 101, 102], OptionLetters.TokenIds(Encode, 3));
        Assert.Equal(" D", OptionLetters.Target(3));

        var e = Assert.Throws<LayerSteerException>(() => OptionLetters.TokenIds(s => [32, s[1]], 2));
        Assert.Contains("\" A\" encodes to 2 tokens [32, 65]", e.Message);
    }
}
