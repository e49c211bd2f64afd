using System.Text.Json;
using LayerSteer.Tasks.Opinions;
using LayerSteer.Tests.Support;
using Xunit.Abstractions;

namespace LayerSteer.Tests.Opinions;

public class OpinionQaLoaderTests(ITestOutputHelper output)
{
    static string HumanResp => Shared.Path("data", "opinionqa", "human_resp");
    static string Wave(string w) => Path.Combine(HumanResp, $"American_Trends_Panel_{w}");

    public static TheoryData<string> Waves => new() { "W26", "W27", "W29", "W32", "W34", "W36", "W41", "W42", "W43", "W45", "W49", "W50", "W54", "W82", "W92" };

    [SharedTheory, MemberData(nameof(Waves))]
    public void EachWaveLoadsEveryQuestionWithRefusedDropped(string w)
    {
        var g = OpinionQaLoader.Load(Wave(w), new OpinionGroup("INCOME", "$100,000 or more"));
        int inFile = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Wave(w), "INCOME_data.json"))).RootElement.EnumerateObject().Count();
        output.WriteLine($"{w}: {g.Examples.Count} loaded, {g.Report.Summary()}");
        Assert.Equal(inFile, g.Examples.Count + g.Report.Skipped.Count);
        Assert.NotEmpty(g.Examples);
        foreach (var e in g.Examples)
        {
            Assert.Equal(w, e.Question.Wave);
            Assert.EndsWith("_" + w, e.Question.Id);
            Assert.DoesNotContain(e.Question.Options, o => o.Equals("Refused", StringComparison.OrdinalIgnoreCase));
            Assert.Equal(e.Question.Options.Count, e.Pi.Length);
            Assert.Equal(1.0, e.Pi.Sum(), 12);
            Assert.All(e.Pi, p => Assert.InRange(p, 0, 1));
        }
    }

    [SharedFact]
    public void DistributionIsRenormalisedCountsWithoutRefused()
    {
        // SAFECRIME_W26, $100,000 or more: Very safe 434, Somewhat 599, Not too 102, Not at all 5, Refused 1 (dropped).
        var e = Find(OpinionQaLoader.Load(Wave("W26"), new OpinionGroup("INCOME", "$100,000 or more")), "SAFECRIME_W26");
        Assert.Equal(["Very safe", "Somewhat safe", "Not too safe", "Not at all safe"], e.Question.Options);
        double[] expected = [434 / 1140.0, 599 / 1140.0, 102 / 1140.0, 5 / 1140.0];
        for (int k = 0; k < 4; k++) Assert.Equal(expected[k], e.Pi[k], 12);
        Assert.StartsWith("How safe, if at all", e.Question.Text);
    }

    [SharedFact]
    public void CountKeyMatchesOptionCaseInsensitively()
    {
        // POLICY3_W42's counts say "noR" where info.csv says "nor": Northeast 341 / 36 / 367 (Refused 6 dropped).
        var e = Find(OpinionQaLoader.Load(Wave("W42"), new OpinionGroup("CREGION", "Northeast")), "POLICY3_W42");
        Assert.Contains(" nor ", e.Question.Options[2]);
        Assert.Equal(367 / 744.0, e.Pi[2], 12);
        Assert.Equal(341 / 744.0, e.Pi[0], 12);
    }

    [SharedFact]
    public void OptionsWithCommasComeFromInfoCsv()
    {
        // The data file's MC_options splits these into 4 pieces; info.csv's references has the 2 real options.
        var e = Find(OpinionQaLoader.Load(Wave("W26"), new OpinionGroup("POLIDEOLOGY", "Moderate")), "GUN_W26");
        Assert.Equal(["Yes, I own a gun", "No, I don't own any guns"], e.Question.Options);
        Assert.Equal(484 / 1501.0, e.Pi[0], 12);
    }

    [SharedFact]
    public void TheFourPaperGroupsExistAcrossAllWaves()
    {
        foreach (var group in OpinionGroup.ParseList("INCOME=$100,000 or more;INCOME=Less than $30,000;POLIDEOLOGY=Moderate;CREGION=Northeast"))
        {
            var g = OpinionQaLoader.Load(HumanResp, group);
            output.WriteLine($"{group}: {g.Examples.Count} questions, {g.Report.Summary()}; " +
                string.Join(" ", g.Examples.GroupBy(e => e.Question.Wave).Select(w => $"{w.Key}:{w.Count()}")));
            Assert.Equal(684, g.Examples.Count); // every question of the 15 waves has respondents in these groups
            Assert.Equal(15, g.Examples.Select(e => e.Question.Wave).Distinct().Count());
            Assert.Equal(g.Examples.Count, g.Examples.Select(e => e.Question.Id).Distinct().Count());
        }
    }

    [SharedFact]
    public void TwoLevelAttributesUseOuterSlashInner()
    {
        var g = OpinionQaLoader.Load(Wave("W26"), new OpinionGroup("POLPARTY_RACE", "Democrat/Asian"));
        var e = Find(g, "SAFECRIME_W26");
        // Democrat/Asian: Very safe 9, Somewhat 28, Not too 8, Not at all 3.
        double[] expected = [9 / 48.0, 28 / 48.0, 8 / 48.0, 3 / 48.0];
        for (int k = 0; k < 4; k++) Assert.Equal(expected[k], e.Pi[k], 12);
        Assert.Contains("Democrat/Asian", OpinionQaLoader.GroupValues(Wave("W26"), "POLPARTY_RACE"));
    }

    [SharedFact]
    public void UnknownAttributeOrGroupListsWhatIsAvailable()
    {
        var a = Assert.Throws<LayerSteerException>(() => OpinionQaLoader.Load(HumanResp, new OpinionGroup("SHOESIZE", "42")));
        Assert.Contains("unknown attribute \"SHOESIZE\"", a.Message);
        Assert.Contains("POLIDEOLOGY", a.Message);
        var g = Assert.Throws<LayerSteerException>(() => OpinionQaLoader.Load(HumanResp, new OpinionGroup("CREGION", "Atlantis")));
        Assert.Contains("unknown CREGION group \"Atlantis\"", g.Message);
        Assert.Contains("Northeast; South; West", g.Message);
    }

    [SharedFact]
    public void WholeFolderNotesWavesWithoutTheAttribute()
    {
        var g = OpinionQaLoader.Load(HumanResp, new OpinionGroup("POLPARTY_SEX", "Republican/Male"));
        Assert.Contains(g.Report.Notes, n => n.Contains("American_Trends_Panel_W41") && n.Contains("POLPARTY_SEX_data.json"));
        Assert.Equal(["W26", "W27", "W29", "W32", "W34", "W36"], g.Examples.Select(e => e.Question.Wave).Distinct().Order().ToArray());
    }

    static OpinionExample Find(GroupOpinions g, string id) => Assert.Single(g.Examples, e => e.Question.Id == id);
}
