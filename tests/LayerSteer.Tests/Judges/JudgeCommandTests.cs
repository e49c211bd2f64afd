using System.CommandLine;
using LayerSteer.Cli.Commands;

namespace LayerSteer.Tests.Judges;

/// <summary>`layersteer judge` prints the verdict as its last line and exits 0 for all three verdicts.</summary>
public class JudgeCommandTests
{
    static (int Exit, string LastLine) Run(params string[] args)
    {
        var root = new RootCommand();
        root.Subcommands.Add(JudgeCommand.Create());
        var output = new StringWriter();
        int exit = root.Parse(["judge", .. args]).Invoke(new InvocationConfiguration { Output = output, Error = new StringWriter() });
        return (exit, output.ToString().TrimEnd().Split('\n')[^1].Trim());
    }

    [DebianFact]
    public void OfflineVerdicts()
    {
        Assert.Equal((0, "accept"), Run("--task", "antonym", "--input", "hot", "--prediction", "cold"));
        Assert.Equal((0, "reject"), Run("--task", "antonym", "--input", "hot", "--prediction", "warm"));
        Assert.Equal((0, "unknown"), Run("--task", "english-french", "--input", "qwzxv", "--prediction", "chien"));
        Assert.Equal((0, "accept"), Run("--task", "english-german", "--input", "dog", "--prediction", "Hund", "--judge", "offline"));
    }

    [Fact]
    public void LlmVerdict()
    {
        using var server = new FakeChatServer(n => new(200, n < 3 ? "1" : "0"));
        Assert.Equal((0, "accept"), Run("--task", "synonym", "--input", "big", "--prediction", "large", "--judge", "llm", "--judge-endpoint", server.Endpoint, "--judge-model", "m"));
        Assert.Equal(5, server.Requests);
    }

    [Fact]
    public void UnknownTaskIsRejected()
    {
        Assert.NotEqual(0, Run("--task", "country-capital", "--input", "France", "--prediction", "Paris").Exit);
    }
}
