using System.Diagnostics;
using LayerSteer.Formats;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Formats;

/// <summary>Nothing a user wrote is lost or half-written: a writer killed with SIGKILL mid-write leaves the old file intact,
/// and the next write of the same path removes the dead writer's temp file.</summary>
public class AtomicFileTests
{
    [Fact]
    public void AWriterKilledMidWayLeavesTheOldFileAndTheNextWriteCleansUp()
    {
        using var tmp = new TempDir();
        string target = tmp.File("vector.safetensors");
        File.WriteAllText(target, "the old vector");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AtomicWriteChild.dll"));
        psi.ArgumentList.Add(target);
        using var child = Process.Start(psi)!;
        var said = child.StandardOutput.ReadLineAsync();
        Assert.True(said.Wait(TimeSpan.FromMinutes(1)) && said.Result == "writing", "the child never started writing");
        child.Kill();   // SIGKILL: no finally block runs
        child.WaitForExit();

        Assert.Equal("the old vector", File.ReadAllText(target));
        var leftover = Directory.GetFiles(tmp.Path, "vector.safetensors.*.tmp");
        Assert.Single(leftover);
        Assert.True(new FileInfo(leftover[0]).Length >= 512 * 1024);

        AtomicFile.WriteText(target, "the new vector");
        Assert.Equal("the new vector", File.ReadAllText(target));
        Assert.Empty(Directory.GetFiles(tmp.Path, "*.tmp"));
    }

    [Fact]
    public void ALiveWritersTempFileIsLeftAlone()
    {
        using var tmp = new TempDir();
        string target = tmp.File("t.json");
        string mine = $"{target}.{Environment.ProcessId}.0123456789abcdef0123456789abcdef.tmp";
        File.WriteAllText(mine, "in progress");
        AtomicFile.WriteText(target, "done");
        Assert.True(File.Exists(mine));
        Assert.Empty(AtomicFile.StaleTemps(target));
    }
}
