using LayerSteer.Server;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Server;

/// <summary>The shipped load test, small: every kind of bad request gets a 4xx with a message, valid ones 200, nothing 5xx;
/// and it refuses anything but loopback.</summary>
[Collection(ServerCollection.Name)]
public sealed class LoadTestTests(ServerFixture fx)
{
    [Fact]
    public async Task ASmallMixedRunHasNoFailures()
    {
        using var t = new LoadTest(new LoadTestOptions { Url = fx.Server.Url, Requests = 42, Concurrency = 8, MaxTokens = 8, MaxTime = TimeSpan.FromMinutes(3) });
        var report = await t.Mixed();
        Assert.False(report.TimedOut);
        Assert.Equal(42, report.Results.Count);
        Assert.Empty(report.Failures.Select(f => f.Problem));
        Assert.Equal(7, report.Results.Where(r => !r.Valid).Select(r => r.Kind).Distinct().Count());
        Assert.All(report.Results.Where(r => !r.Valid && r.Kind != "disconnect"), r => Assert.InRange(r.Status, 400, 499));
        Assert.True(report.IdleBytes > 0 && report.AfterBytes > 0);
    }

    [Fact]
    public void OnlyLoopbackIsTargeted() =>
        Assert.Contains("loopback", Assert.Throws<LayerSteerException>(() => new LoadTestOptions { Url = new Uri("http://10.0.0.1:8000/") }.Check()).Message);

    [Fact]
    public void NoServerAtTheUrlIsAOneLineError()
    {
        var r = CliProcess.Run("loadtest", "--url", $"http://127.0.0.1:{LoopbackServer.FreePort()}/", "--throughput", "1");
        Assert.Equal(1, r.Exit);
        Assert.StartsWith("error: cannot reach the server at", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
