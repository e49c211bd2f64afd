using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Cli;

/// <summary>LoRA, IA3 and the soft prompt through `layersteer compare`.</summary>
public class AdapterCliTests
{
    [Fact]
    public void CompareTrainsEveryAdapterAndReportsItsLoss()
    {
        using var tmp = new TempDir();
        var r = CliProcess.Run("compare", "--model", TestModels.Testbed, "--tasks", "antonym", "--methods", "lora,ia3,soft-prompt",
            "--seeds", "1", "--test-size", "5", "--adapter-steps", "15", "--cache", tmp.File("cache"), "--json", tmp.File("cells.json"));
        Assert.True(r.Exit == 0, r.Stderr);
        foreach (var m in new[] { "lora", "ia3", "soft-prompt" }) Assert.Matches($@"\| {m} \| \d\.\d\d ± \d\.\d\d \(\d\.\d\d ± \d\.\d\d\) \|", r.Stdout);
        var cells = System.Text.Json.JsonSerializer.Deserialize<LayerSteer.Experiments.GridCell[]>(File.ReadAllText(tmp.File("cells.json")))!;
        Assert.Equal(3, cells.Length);
        // Each adapter's fitted loss falls, in the 15 steps asked for.
        Assert.All(cells, c => Assert.True(c.Score.Details.FinalLoss < c.Score.Details.InitialLoss, c.Method));
        Assert.All(cells, c => Assert.Equal(15, c.Score.Details.Steps));
        Assert.Equal(1792, cells.Single(c => c.Method == "lora").Score.Details.Parameters);   // LoRA r = 4 on q (128→128) and v (128→64) of one layer
    }
}
