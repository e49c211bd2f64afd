using LayerSteer.Tasks;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Tasks;

public class TaskDataTests
{
    [Theory]
    [InlineData("[]", "no pairs")]
    [InlineData("{\"input\": \"a\"}", "JSON array")]
    [InlineData("[{\"input\": \"a\"}]", "entry 0")]
    [InlineData("[{\"input\": \"a\", \"output\": 3}]", "entry 0")]
    [InlineData("[{\"input\": \"\", \"output\": \"b\"}]", "empty")]
    [InlineData("[{\"input\": \"a\", \"output\": \"b\"", "not valid JSON")]
    public void MalformedDatasetsAreClearErrors(string json, string expected)
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("t.json"), json);
        var e = Assert.Throws<LayerSteerException>(() => TaskPairs.Load(tmp.File("t.json")));
        Assert.Contains("t.json", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void UnknownTaskNamesListWhatExists()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("colors.json"), "[{\"input\": \"sky\", \"output\": \"blue\"}]");
        var e = Assert.Throws<LayerSteerException>(() => TaskPairs.Resolve("no-such-task", TaskPairs.SearchRoots(tmp.Path, null, [])));
        Assert.Contains("unknown task \"no-such-task\"", e.Message);
        Assert.Contains("colors", e.Message);
    }

    [Fact]
    public void SplitsAreSeededAndDisjointAndTooLargeNIsAnError()
    {
        var pairs = Enumerable.Range(0, 50).Select(i => new Pair($"w{i}", $"v{i}")).Append(new Pair("W3", "dup")).ToArray();
        var task = new TaskPairs("t", pairs);
        var a = TaskSplit.Make(task, 10, 20, seed: 4);
        Assert.Equal(a.Train, TaskSplit.Make(task, 10, 20, seed: 4).Train);
        Assert.NotEqual(a.Train, TaskSplit.Make(task, 10, 20, seed: 5).Train);
        Assert.Empty(a.Train.Select(p => p.Input.ToLowerInvariant()).Intersect(a.Test.Select(p => p.Input.ToLowerInvariant())));
        Assert.Equal(20, a.Test.Length);
        Assert.Contains("cannot take 50", Assert.Throws<LayerSteerException>(() => TaskSplit.Make(task, 50, 10, 0)).Message);
    }

    [Fact]
    public void ComposedTaskChainsOutputsIntoInputsCaseInsensitively()
    {
        var ant = new TaskPairs("antonym", [new("hot", "Cold"), new("big", "small"), new("up", "down")]);
        var fr = new TaskPairs("english-french", [new("cold", "froid"), new("small", "petit")]);
        var c = TaskPairs.Compose(ant, fr);
        Assert.Equal("antonym>english-french", c.Name);
        Assert.Equal([new Pair("hot", "froid"), new Pair("big", "petit")], c.Pairs);
        Assert.Throws<LayerSteerException>(() => TaskPairs.Compose(fr, ant));
    }

    [Theory]
    [InlineData(" cold. the word", "cold", true)]
    [InlineData("Cold", "cold", true)]
    [InlineData(" colder", "cold", false)]
    [InlineData(" law-abiding citizen is", "law-abiding citizen", true)]
    [InlineData(" law-abiding", "law-abiding citizen", false)]
    [InlineData("\"chien\"", "chien", true)]
    [InlineData("", "chien", false)]
    public void ExactMatchComparesTheFirstKWords(string generated, string target, bool expected) =>
        Assert.Equal(expected, Scoring.ExactMatch(generated, target));

    [Fact]
    public void TemplatesRenderDemonstrations()
    {
        var demos = new[] { new Pair("hot", "cold"), new Pair("up", "down") };
        Assert.Equal("hot:cold\nup:down\nbig:", PromptTemplate.Paper.Prompt("big", demos));
        Assert.Equal("Q: hot\nA: cold\n\nQ: up\nA: down\n\nQ: big\nA:", PromptTemplate.Fv.Prompt("big", demos));
        Assert.Equal(" small", PromptTemplate.Fv.Target("small"));
    }
}
