using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Cli;

/// <summary>`compare --shard K/N` and `--from-cache`: separate processes fill one cache; the assembled table equals an
/// unsharded run's; a missing cell and an old cache format are clear errors.</summary>
public class ShardedCompareTests
{
    static string Testbed => TestModels.Testbed;

    static string[] Args(string cache, params string[] extra) =>
        ["compare", "--model", Testbed, "--tasks", "antonym,synonym", "--methods", "zero-shot,vector", "--seeds", "2", "--steps", "5",
         "--test-size", "8", "--cache", cache, .. extra];

    static string Table(CliProcess.Result r) => string.Join("\n", r.Stdout.Split('\n').Where(l => l.StartsWith('|')));

    [Fact]
    public void TwoShardsInSeparateProcessesGiveTheUnshardedTable()
    {
        using var tmp = new TempDir();
        var whole = CliProcess.Run(Args(tmp.File("whole")));
        Assert.True(whole.Exit == 0, whole.Stderr);

        var missing = CliProcess.Run(Args(tmp.File("shared"), "--from-cache"));
        Assert.Equal(1, missing.Exit);
        Assert.Contains("8 of 8 cells are not cached yet", missing.Stderr);

        var one = CliProcess.Run(Args(tmp.File("shared"), "--shard", "1/2"));
        Assert.True(one.Exit == 0, one.Stderr);
        Assert.StartsWith("compare shard=1/2 cells=4 ", one.LastLine);
        var half = CliProcess.Run(Args(tmp.File("shared"), "--from-cache"));
        Assert.Equal(1, half.Exit);
        Assert.Contains("4 of 8 cells are not cached yet", half.Stderr);
        Assert.Contains("seed", half.Stderr);

        var two = CliProcess.Run(Args(tmp.File("shared"), "--shard", "2/2"));
        Assert.True(two.Exit == 0, two.Stderr);
        Assert.Equal(8, Directory.GetFiles(tmp.File("shared")).Length);
        var assembled = CliProcess.Run(Args(tmp.File("shared"), "--from-cache"));
        Assert.True(assembled.Exit == 0, assembled.Stderr);
        Assert.Contains("| vector |", Table(assembled));
        Assert.Equal(Table(whole), Table(assembled));
        Assert.StartsWith("compare cells=8 ", assembled.LastLine);
    }

    [Theory]
    [InlineData("0/2")]
    [InlineData("3/2")]
    [InlineData("x")]
    public void BadShardsAreOneLineErrors(string shard)
    {
        using var tmp = new TempDir();
        var r = CliProcess.Run(Args(tmp.File("c"), "--shard", shard));
        Assert.Equal(1, r.Exit);
        Assert.Contains("--shard must be K/N", r.Stderr);
    }

    [Fact]
    public void ACacheOfTheOldFormatIsRefusedNotMixed()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.File("old"));
        // What cache format 1 wrote: a bare MethodScore.
        File.WriteAllText(tmp.File("old/zero-shot_antonym_s0_0123456789ab.json"), "{\"TestFirstToken\":0.1,\"TestExact\":0,\"TestN\":8,\"Notes\":\"\"}");
        var r = CliProcess.Run(Args(tmp.File("old")));
        Assert.Equal(1, r.Exit);
        Assert.Contains("older LayerSteer (cache format 1)", r.Stderr);
        Assert.Contains("rerun with an empty --cache folder", r.Stderr);
    }
}
