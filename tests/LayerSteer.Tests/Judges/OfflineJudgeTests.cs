using LayerSteer.Judges;

namespace LayerSteer.Tests.Judges;

/// <summary>The offline judge on the real Debian WordNet and FreeDict files.</summary>
public class OfflineJudgeTests
{
    [DebianTheory]
    // The examples.
    [InlineData("antonym", "hot", "cold", Verdict.Accept)]
    [InlineData("antonym", "hot", "warm", Verdict.Reject)]
    [InlineData("synonym", "big", "large", Verdict.Accept)]
    [InlineData("english-french", "dog", "chien", Verdict.Accept)]
    [InlineData("english-german", "dog", "Hund", Verdict.Accept)]
    [InlineData("english-french", "dog", "chat", Verdict.Reject)]
    // Antonyms beyond WordNet's word pairs (it pairs big↔little and large↔small).
    [InlineData("antonym", "big", "small", Verdict.Accept)]
    [InlineData("antonym", "torrid", "cold", Verdict.Accept)]     // satellite of "hot"
    [InlineData("antonym", "hot", "frigid", Verdict.Accept)]      // satellite of "cold"
    [InlineData("antonym", "hotter", "colder", Verdict.Accept)]   // morphy: both comparatives
    [InlineData("antonym", "dogs", "cats", Verdict.Reject)]
    [InlineData("synonym", "hot", "cold", Verdict.Reject)]
    // Synonyms include similar adjectives, not the input itself.
    [InlineData("synonym", "hot", "torrid", Verdict.Accept)]
    [InlineData("synonym", "cars", "automobiles", Verdict.Accept)]
    [InlineData("synonym", "big", "big", Verdict.Reject)]
    [InlineData("synonym", "big", "", Verdict.Reject)]
    // Unknown only when the input is missing.
    [InlineData("antonym", "qwzxv", "cold", Verdict.Unknown)]
    [InlineData("synonym", "qwzxv", "cold", Verdict.Unknown)]
    [InlineData("english-french", "qwzxv", "chien", Verdict.Unknown)]
    [InlineData("english-german", "qwzxv", "Hund", Verdict.Unknown)]
    [InlineData("antonym", "hot", "qwzxv", Verdict.Reject)]
    // Case, articles, punctuation, accents, multi-word entries.
    [InlineData("antonym", "Hot", "\"Cold.\"", Verdict.Accept)]
    [InlineData("english-french", "Dog", "le chien", Verdict.Accept)]
    [InlineData("english-german", "dog", "der hund", Verdict.Accept)]
    [InlineData("english-french", "abandon", "délaisser", Verdict.Accept)]
    [InlineData("english-french", "abandon", "delaisser", Verdict.Accept)]
    [InlineData("english-german", "hot", "heiss", Verdict.Accept)]       // heiß
    [InlineData("english-german", "hot", "sehr warm", Verdict.Accept)]
    [InlineData("english-french", "a lot of", "beaucoup de", Verdict.Accept)]
    public void Judges(string task, string input, string prediction, Verdict expected) =>
        Assert.Equal(expected, Debian.Judge.Judge(JudgeTasks.Parse(task), input, prediction));
}
