using LayerSteer.Formats;
using LayerSteer.Tensors;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Formats;

public class HugePagesTests
{
    [Fact]
    public void AMappedCheckpointLargerThanAHugePageIsAdvisedAndReadsTheSame()
    {
        // The kernel refuses MADV_HUGEPAGE only where transparent huge pages are off ("never") or not built in; a wrong constant,
        // range or signature would be refused everywhere.
        const string thp = "/sys/kernel/mm/transparent_hugepage/enabled";
        bool expectHint = OperatingSystem.IsLinux() && File.Exists(thp) && !File.ReadAllText(thp).Contains("[never]");
        using var tmp = new TempDir();
        var values = Enumerable.Range(0, 3 << 20).Select(i => (float)Math.Sin(i)).ToArray();   // 12 MiB
        SafeTensorsWriter.Write(tmp.File("big.safetensors"), new Dictionary<string, TensorData> { ["w"] = TensorData.F32([3, 1 << 20], values) });
        using var f = new SafeTensorsFile(tmp.File("big.safetensors"));
        Assert.Equal(expectHint, f.AdvisedHugePages);
        Assert.Equal(values, f.ReadF32("w"));
    }

    [Fact]
    public void AFileSmallerThanAHugePageIsNotAdvised()
    {
        using var tmp = new TempDir();
        SafeTensorsWriter.Write(tmp.File("small.safetensors"), new Dictionary<string, TensorData> { ["w"] = TensorData.F32([2], [1f, 2f]) });
        using var f = new SafeTensorsFile(tmp.File("small.safetensors"));
        Assert.False(f.AdvisedHugePages);
    }
}
