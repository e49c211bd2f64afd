using System.Text;
using LayerSteer.Verification;

namespace LayerSteer.Tests.Bench;

/// <summary>The one parser of /proc's "Key:   N kB" lines that ProcessMemory, its available-memory check and the
/// allocation-free peak sampler share.</summary>
public class ProcessMemoryTests
{
    static readonly byte[] Status = Encoding.ASCII.GetBytes("Name:\tdotnet\nVmHWM:\t  204800 kB\nRssAnon:\t   51200 kB\nRssFile:\t    1024 kB\nRssShmem:\t       0 kB\n");

    [Fact]
    public void ReadsEachKeysKibAsBytesAndZeroForAMissingKey()
    {
        Assert.Equal(51200L * 1024, ProcessMemory.Bytes(Status, "RssAnon:"u8));
        Assert.Equal(204800L * 1024, ProcessMemory.Bytes(Status, "VmHWM:"u8));
        Assert.Equal(1024L * 1024, ProcessMemory.Bytes(Status, "RssFile:"u8));
        Assert.Equal(0, ProcessMemory.Bytes(Status, "RssShmem:"u8));
        Assert.Equal(0, ProcessMemory.Bytes(Status, "VmSwap:"u8));
    }

    [Fact]
    public void TheSamplerSeesWhatNowReads()
    {
        if (ProcessMemory.Now() is not { } now) return;   // not Linux: nothing to read
        Assert.True(now.AnonymousBytes > 0 && now.PeakResidentBytes >= now.AnonymousBytes);
        using var peak = new AnonymousPeak();
        Assert.InRange(peak.Bytes, now.AnonymousBytes / 2, now.PeakResidentBytes * 2);
        Assert.True(ProcessMemory.Available() > 0);
    }
}
