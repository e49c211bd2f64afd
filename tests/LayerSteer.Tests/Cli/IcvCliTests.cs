using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Cli;

/// <summary>The ICV baseline through `layersteer compare`.</summary>
public class IcvCliTests
{
    static string Testbed => TestModels.Testbed;

    [Fact]
    public void CompareRunsIcvBesideZeroShot()
    {
        using var tmp = new TempDir();
        var r = CliProcess.Run("compare", "--model", Testbed, "--tasks", "antonym", "--methods", "zero-shot,icv", "--seeds", "1",
            "--test-size", "10", "--cache", tmp.File("cache"), "--json", tmp.File("cells.json"));
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.Matches(@"\| icv \| \d\.\d\d ± \d\.\d\d \(\d\.\d\d ± \d\.\d\d\) \|", r.Stdout);
        Assert.Contains("icv (train pairs)", r.Stdout);
        var cells = System.Text.Json.JsonSerializer.Deserialize<LayerSteer.Experiments.GridCell[]>(File.ReadAllText(tmp.File("cells.json")))!;
        var icv = cells.Single(c => c.Method == "icv").Score.Details;
        Assert.Equal(0.1f, icv.IcvStrength);
        Assert.Equal(6, icv.IcvNorms!.Length);   // one ICV per layer of the testbed
        Assert.All(icv.IcvNorms, n => Assert.True(n > 0));
        Assert.InRange(icv.IcvVarianceShare!.Value, 0.0, 1.0);
        Assert.Null(cells.Single(c => c.Method == "zero-shot").Score.Details.IcvStrength);
        Assert.Equal("compare cells=2", r.LastLine.Split(" wall_s")[0]);
    }

    [Fact]
    public void NegativeStrengthIsAOneLineError()
    {
        var r = CliProcess.Run("compare", "--model", Testbed, "--tasks", "antonym", "--methods", "icv", "--icv-strength", "-1");
        Assert.Equal(1, r.Exit);
        Assert.Contains("--icv-strength must be a finite number ≥ 0", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }
}
