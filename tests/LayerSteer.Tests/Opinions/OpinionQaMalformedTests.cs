using LayerSteer.Tasks.Opinions;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Opinions;

/// <summary>Hand-written OpinionQA waves with one broken question of each kind.</summary>
public class OpinionQaMalformedTests
{
    const string Info = """
        ,key,question,references
        0,OK_W99,"Tea, or coffee?","['Tea', ""Coffee, black"", 'Refused']"
        1,MISMATCH_W99,Mismatch?,"['Yes', 'No', 'Refused']"
        2,ZERO_W99,Zero?,"['Yes', 'No', 'Refused']"
        3,NOGROUP_W99,No group?,"['Yes', 'No', 'Refused']"
        4,BADREF_W99,Bad references?,not a list
        5,ONEOPT_W99,One option?,"['Yes', 'Refused']"
        6,NEG_W99,Negative?,"['Yes', 'No', 'Refused']"
        """;

    const string Data = """
        {
          "OK_W99":       {"MC_options": ["Tea", "Coffee", "black", "Refused"], "G1": {"tea": 3.0, "Coffee, black": 1.0, "Refused": 9.0}},
          "MISMATCH_W99": {"G1": {"Yes": 1.0, "Maybe": 2.0}},
          "ZERO_W99":     {"G1": {"Refused": 5.0, "Yes": 0.0}},
          "NOGROUP_W99":  {"G2": {"Yes": 1.0}},
          "BADREF_W99":   {"G1": {"Yes": 1.0}},
          "ONEOPT_W99":   {"G1": {"Yes": 1.0}},
          "NEG_W99":      {"G1": {"Yes": -1.0, "No": 2.0}},
          "MISSING_W99":  {"G1": {"Yes": 1.0}}
        }
        """;

    static string MakeWave(TempDir tmp, string info = Info, string data = Data)
    {
        string dir = Directory.CreateDirectory(tmp.File("American_Trends_Panel_W99")).FullName;
        File.WriteAllText(Path.Combine(dir, "info.csv"), info);
        File.WriteAllText(Path.Combine(dir, "TEST_data.json"), data);
        return dir;
    }

    [Fact]
    public void EachBrokenQuestionIsSkippedWithItsReason()
    {
        using var tmp = new TempDir();
        MakeWave(tmp);
        var g = OpinionQaLoader.Load(tmp.Path, new OpinionGroup("test", "g1"));

        var ok = Assert.Single(g.Examples);
        Assert.Equal("OK_W99", ok.Question.Id);
        Assert.Equal("W99", ok.Question.Wave);
        Assert.Equal("Tea, or coffee?", ok.Question.Text);
        Assert.Equal(["Tea", "Coffee, black"], ok.Question.Options);
        Assert.Equal([0.75, 0.25], ok.Pi);

        Assert.Equal(7, g.Report.Skipped.Count);
        Assert.Equal(1, g.Report.Count(SkipReason.OptionCountMismatch));
        Assert.Equal(1, g.Report.Count(SkipReason.ZeroTotal));
        Assert.Equal(1, g.Report.Count(SkipReason.NoGroupCounts));
        Assert.Equal(2, g.Report.Count(SkipReason.BadOptions));
        Assert.Equal(1, g.Report.Count(SkipReason.BadCount));
        Assert.Equal(1, g.Report.Count(SkipReason.MissingQuestion));
        Assert.Contains(g.Report.Skipped, s => s.Item == "MISMATCH_W99" && s.Detail.Contains("\"Maybe\""));
        Assert.Contains("7 skipped", g.Report.Summary());
    }

    [Fact]
    public void BrokenFilesFailWithTheirPath()
    {
        using var tmp = new TempDir();
        string dir = MakeWave(tmp, data: "{ not json");
        var e = Assert.Throws<LayerSteerException>(() => OpinionQaLoader.Load(dir, new OpinionGroup("TEST", "G1")));
        Assert.Contains("TEST_data.json", e.Message);
        Assert.Contains("not valid JSON", e.Message);

        using var tmp2 = new TempDir();
        dir = MakeWave(tmp2, info: ",key,question\n0,OK_W99,Q?\n");
        e = Assert.Throws<LayerSteerException>(() => OpinionQaLoader.Load(dir, new OpinionGroup("TEST", "G1")));
        Assert.Contains("info.csv", e.Message);
        Assert.Contains("missing column \"references\"", e.Message);
    }

    [Fact]
    public void FolderWithoutWavesIsAnError()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<LayerSteerException>(() => OpinionQaLoader.Load(tmp.Path, new OpinionGroup("TEST", "G1")));
        Assert.Contains("no info.csv", e.Message);
    }

    [Fact]
    public void GroupSpecParsesValuesWithCommasAndRejectsGarbage()
    {
        var groups = OpinionGroup.ParseList(" INCOME=$100,000 or more ; CREGION = Northeast;");
        Assert.Equal([new OpinionGroup("INCOME", "$100,000 or more"), new OpinionGroup("CREGION", "Northeast")], groups);
        Assert.Contains("ATTRIBUTE=value", Assert.Throws<LayerSteerException>(() => OpinionGroup.ParseList("INCOME")).Message);
        Assert.Throws<LayerSteerException>(() => OpinionGroup.ParseList("=x"));
        Assert.Throws<LayerSteerException>(() => OpinionGroup.ParseList(" ; "));
    }
}
