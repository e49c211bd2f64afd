using LayerSteer.Tasks.Opinions;

namespace LayerSteer.Tests.Opinions;

public class CsvTests
{
    [Fact]
    public void QuotedFieldsKeepCommasQuotesAndNewlines()
    {
        string text = "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n\n3,,\"\"";
        var rows = Csv.Parse(text, "t.csv").ToList();
        Assert.Equal(4, rows.Count);
        Assert.Equal(["a", "b", "c"], rows[0].Fields);
        Assert.Equal(["1", "x, y", "say \"hi\""], rows[1].Fields);
        Assert.Equal(["2", "two\nlines", ""], rows[2].Fields);
        Assert.Equal(3, rows[2].Line);
        Assert.Equal(["3", "", ""], rows[3].Fields);
        Assert.Equal(6, rows[3].Line);
    }

    [Fact]
    public void UnclosedQuoteNamesFileAndLine()
    {
        var e = Assert.Throws<LayerSteerException>(() => Csv.Parse("a,b\n1,\"open\n2,3\n", "bad.csv").ToList());
        Assert.Contains("bad.csv", e.Message);
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void TextAfterClosingQuoteIsAnError()
    {
        var e = Assert.Throws<LayerSteerException>(() => Csv.Parse("\"a\"b,c\n", "bad.csv").ToList());
        Assert.Contains("doubled", e.Message);
    }

    [Fact]
    public void MissingColumnListsWhatWasFound()
    {
        var e = Assert.Throws<LayerSteerException>(() => Csv.Columns(["id", "question"], "s.csv", "id", "question", "options"));
        Assert.Contains("missing column \"options\"", e.Message);
        Assert.Contains("\"question\"", e.Message);
    }

    [Fact]
    public void PythonStringListHandlesBothQuoteStylesAndEscapes()
    {
        Assert.Equal(["Yes, I own a gun", "No, I don't own any guns", "Refused"],
            PythonStringList.Parse("['Yes, I own a gun', \"No, I don't own any guns\", 'Refused']"));
        Assert.Equal(["it's", "a\\b", "é"], PythonStringList.Parse(@"['it\'s', 'a\\b', '\xe9']"));
        Assert.Equal([], PythonStringList.Parse(" [ ] "));
        Assert.Null(PythonStringList.Parse("['unclosed]"));
        Assert.Null(PythonStringList.Parse("['a' 'b']"));
        Assert.Null(PythonStringList.Parse("[1.0, 2.0]"));
        Assert.Null(PythonStringList.Parse("['a'] extra"));
    }
}
