using System.Diagnostics;
using LayerSteer.Server;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Server;

/// <summary>A server that shuts down does not wait for a long fit: the running job ends at its next step as "cancelled", a queued
/// one is cancelled without starting, and neither writes a vector.</summary>
public class FitShutdownTests
{
    [Fact]
    public async Task ShuttingDownCancelsTheRunningFit()
    {
        using var dir = new TempDir();
        string vectors = Directory.CreateDirectory(dir.File("vectors")).FullName;
        var server = await LayerSteerServer.StartAsync(new ServerOptions { Model = TestModels.Testbed, VectorsDir = vectors, Port = 0 });
        var job = server.Serving.Fits.Submit("long", JsonArgs.Parse("{\"task\": \"antonym\", \"steps\": 5000}"u8.ToArray()));
        var wait = Stopwatch.StartNew();
        while (server.Serving.Fits.Get(job.Id) is not { State: "running", Step: > 0 } && wait.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(20);
        Assert.Equal("running", server.Serving.Fits.Get(job.Id)!.State);
        var queued = server.Serving.Fits.Submit("queued", JsonArgs.Parse("{\"task\": \"antonym\", \"steps\": 5000}"u8.ToArray()));

        var clock = Stopwatch.StartNew();
        await server.DisposeAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"shutdown took {clock.Elapsed}");
        var end = server.Serving.Fits.Get(job.Id)!;
        Assert.Equal("cancelled", end.State);
        Assert.True(end.Step < 5000);
        Assert.False(File.Exists(Path.Combine(vectors, "long.safetensors")));
        var never = server.Serving.Fits.Get(queued.Id)!;
        Assert.Equal("cancelled", never.State);
        Assert.Equal(0, never.Step);
        Assert.False(File.Exists(Path.Combine(vectors, "queued.safetensors")));
    }
}
