using LayerSteer.Models;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Formats;

/// <summary>A model folder whose files are symbolic links (as in the Hugging Face cache: snapshots/… → blobs/…) loads as the
/// files themselves: lengths are measured on the link targets, not the links; a broken link is a clear error.</summary>
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

    [Fact]
    public void ADanglingOrLoopingLinkIsAnErrorNamingTheFile()
    {
        using var dir = new TempDir();
        File.Copy(Path.Combine(TestModels.Testbed, "config.json"), dir.File("config.json"));
        File.CreateSymbolicLink(dir.File("model.safetensors"), dir.File("gone.safetensors"));
        var e = Assert.Throws<LayerSteerException>(() => ModelLoader.Load(dir.Path));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("does not exist", e.Message);

        File.Delete(dir.File("model.safetensors"));
        File.CreateSymbolicLink(dir.File("model.safetensors"), dir.File("loop.safetensors"));
        File.CreateSymbolicLink(dir.File("loop.safetensors"), dir.File("model.safetensors"));
        Assert.Contains("model.safetensors", Assert.Throws<LayerSteerException>(() => ModelLoader.Load(dir.Path)).Message);
    }
}
