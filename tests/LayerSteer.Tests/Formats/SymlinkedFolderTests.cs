using LayerSteer.Models;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Formats;

/// <summary>A model folder whose files are symbolic links (as in the Hugging Face cache: snapshots/… → blobs/…) loads as the
/// files themselves: lengths are measured on the link targets, not the links.</summary>
public class SymlinkedFolderTests
{
    [Fact]
    public void AFolderOfSymlinksLoadsTheSameModel()
    {
        using var dir = new TempDir();
        foreach (var f in new[] { "config.json", "model.safetensors", "tokenizer.json" })
            File.CreateSymbolicLink(dir.File(f), Path.Combine(TestModels.Testbed, f));
        using var linked = ModelLoader.Load(dir.Path);
        using var direct = ModelLoader.Load(TestModels.Testbed);
        Assert.Equal(direct.Fingerprint, linked.Fingerprint);
        Assert.Equal(direct.ParameterCount, linked.ParameterCount);
        var probe = new float[direct.Hidden];
        var expected = new float[direct.Hidden];
        linked.Embedding.ReadRow(5, probe);
        direct.Embedding.ReadRow(5, expected);
        Assert.Equal(expected, probe);
    }
}
