using LayerSteer.Tasks.Opinions;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Opinions;

public class UserSurveyLoaderTests
{
    [Fact]
    public void JsonlGoodRowsLoadAndBadRowsAreCounted()
    {
        using var tmp = new TempDir();
        string path = tmp.File("mine.jsonl");
        File.WriteAllLines(path,
        [
            """{"id": "tea", "question": "Tea?", "options": ["Yes", "No"], "distribution": [3, 1]}""",
            """{"question": "No id?", "options": ["A thing", "B thing", "C thing"], "distribution": [0.2, 0.3, 0.5]}""",
            "",
            """{"id": "mismatch", "question": "Q?", "options": ["Yes", "No"], "distribution": [1, 2, 3]}""",
            """{"id": "zero", "question": "Q?", "options": ["Yes", "No"], "distribution": [0, 0]}""",
            """{"id": "neg", "question": "Q?", "options": ["Yes", "No"], "distribution": [-1, 2]}""",
            """{"id": "text", "question": "Q?", "options": ["Yes", "No"], "distribution": ["a", 2]}""",
            """{"id": "one", "question": "Q?", "options": ["Yes"], "distribution": [1]}""",
            """{"id": "noq", "options": ["Yes", "No"], "distribution": [1, 2]}""",
            """{"id": "tea", "question": "Again?", "options": ["Yes", "No"], "distribution": [1, 1]}""",
            """{"id": "broken", "question": """,
            """[1, 2]""",
        ]);
        var g = UserSurveyLoader.Load(path);

        Assert.Equal("mine", g.Group);
        Assert.Equal(["tea", "mine:2"], g.Examples.Select(e => e.Question.Id));
        Assert.Equal([0.75, 0.25], g.Examples[0].Pi);
        Assert.Equal(["A thing", "B thing", "C thing"], g.Examples[1].Question.Options);
        Assert.Equal(1.0, g.Examples[1].Pi.Sum(), 12);

        Assert.Equal(9, g.Report.Skipped.Count);
        Assert.Equal(1, g.Report.Count(SkipReason.OptionCountMismatch));
        Assert.Equal(1, g.Report.Count(SkipReason.ZeroTotal));
        Assert.Equal(2, g.Report.Count(SkipReason.BadCount));
        Assert.Equal(1, g.Report.Count(SkipReason.BadOptions));
        Assert.Equal(4, g.Report.Count(SkipReason.BadRow)); // no question, repeated id, bad JSON, not an object
        Assert.Contains(g.Report.Skipped, s => s.Source == "mine:11" && s.Detail.StartsWith("not valid JSON"));
    }

    [Fact]
    public void CsvUsesPipeSeparatedListsAndRfc4180Quoting()
    {
        using var tmp = new TempDir();
        string path = tmp.File("mine.csv");
        File.WriteAllText(path, """
            question,id,options,distribution,note
            "Tea, or coffee?",q1,"Tea, hot|Coffee",70|30,x
            Mismatch?,q2,Yes|No,1|2|3,x
            Zero?,q3,Yes|No,0|0,x
            Short row,q4
            Not a number?,q5,Yes|No,1|lots,x
            ,q6,Yes|No,1|1,x
            """);
        var g = UserSurveyLoader.Load(path);

        var e = Assert.Single(g.Examples);
        Assert.Equal("q1", e.Question.Id);
        Assert.Equal("Tea, or coffee?", e.Question.Text);
        Assert.Equal(["Tea, hot", "Coffee"], e.Question.Options);
        Assert.Equal(0.7, e.Pi[0], 12);
        Assert.Equal(5, g.Report.Skipped.Count);
        Assert.Equal(1, g.Report.Count(SkipReason.OptionCountMismatch));
        Assert.Equal(1, g.Report.Count(SkipReason.ZeroTotal));
        Assert.Equal(1, g.Report.Count(SkipReason.BadCount));
        Assert.Equal(2, g.Report.Count(SkipReason.BadRow)); // short row, empty question
    }

    [Fact]
    public void CsvWithoutARequiredColumnOrUnknownFormatFails()
    {
        using var tmp = new TempDir();
        string csv = tmp.File("s.csv");
        File.WriteAllText(csv, "id,question,options\nq1,Q?,Yes|No\n");
        var e = Assert.Throws<LayerSteerException>(() => UserSurveyLoader.Load(csv));
        Assert.Contains("missing column \"distribution\"", e.Message);

        string txt = tmp.File("s.txt");
        File.WriteAllText(txt, "x");
        Assert.Contains(".jsonl or .csv", Assert.Throws<LayerSteerException>(() => UserSurveyLoader.Load(txt)).Message);
        Assert.Contains("not found", Assert.Throws<LayerSteerException>(() => UserSurveyLoader.Load(tmp.File("none.csv"))).Message);
    }
}
