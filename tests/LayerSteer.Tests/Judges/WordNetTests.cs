using LayerSteer.Judges;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Judges;

/// <summary>WordNet loading errors (the relations are tested on the real files in OfflineJudgeTests).</summary>
public class WordNetTests
{
    [Fact]
    public void MissingFolderNamesTheFileAndThePackage()
    {
        using var dir = new TempDir();
        var judge = new OfflineJudge(new JudgeOptions { WordNetDir = dir.Path });
        var e = Assert.Throws<LayerSteerException>(() => judge.Judge(JudgeTask.Antonym, "hot", "cold"));
        Assert.Contains(dir.File("index.noun"), e.Message);
        Assert.Contains("wordnet-base", e.Message);
    }

    [Fact]
    public void OffsetNotAtASynsetIsAClearError()
    {
        using var dir = new TempDir();
        foreach (var part in new[] { "noun", "verb", "adj", "adv" })
        {
            File.WriteAllText(dir.File("index." + part), "  1 license text  \n");
            File.WriteAllText(dir.File("data." + part), "  1 license text  \n");
            File.WriteAllText(dir.File(part + ".exc"), "");
        }
        File.AppendAllText(dir.File("index.adj"), "hot a 1 0 1 0 00000005  \n");
        var e = Assert.Throws<LayerSteerException>(() => WordNet.Load(dir.Path).Antonym("hot", "cold"));
        Assert.Contains(dir.File("data.adj"), e.Message);
        Assert.Contains("byte offset 5", e.Message);

        File.AppendAllText(dir.File("index.adv"), "fast r x\n");
        e = Assert.Throws<LayerSteerException>(() => WordNet.Load(dir.Path));
        Assert.Contains("line 2", e.Message);
    }
}
