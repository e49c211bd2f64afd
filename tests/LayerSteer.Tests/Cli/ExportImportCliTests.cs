using LayerSteer.Formats.Gguf;
using LayerSteer.Intervention;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Cli;

/// <summary>fit at the block output → export to GGUF → import → eval, through the real binary.</summary>
public class ExportImportCliTests
{
    static string Testbed => TestModels.Testbed;

    [Fact]
    public void ResidualVectorSurvivesExportAndImport()
    {
        using var tmp = new TempDir();
        string vec = tmp.File("res.safetensors");
        var fit = CliProcess.Run("fit", "--model", Testbed, "--task", "antonym", "--site", "block-output", "--layer", "1", "--apply", "every", "--steps", "20", "--out", vec);
        Assert.True(fit.Exit == 0, fit.Stderr);
        Assert.Matches(@"^fit loss=\d+\.\d{4} objective=\d+\.\d{4} nonzero_entries=\d+ steps=20$", fit.LastLine);
        var fitted = SteeringVector.Load(vec);
        Assert.Equal((VectorSite.BlockOutput, ApplyMode.Every, 128), (fitted.Site, fitted.Apply, fitted.Delta.Length));

        var export = CliProcess.Run("export", "--vector", vec, "--format", "gguf", "--out", tmp.File("res.gguf"));
        Assert.True(export.Exit == 0, export.Stderr);
        Assert.Equal($"export format=gguf layer=1 hidden=128 out={tmp.File("res.gguf")}", export.LastLine);
        Assert.Equal(fitted.Delta, ControlVectorFile.Read(tmp.File("res.gguf")).Directions[1]);

        var import = CliProcess.Run("import", "--gguf", tmp.File("res.gguf"), "--model", Testbed, "--out", tmp.File("back.safetensors"));
        Assert.True(import.Exit == 0, import.Stderr);
        Assert.Equal($"import layers=1 hidden=128 apply=every out={tmp.File("back.safetensors")}", import.LastLine);
        var back = SteeringVector.Load(tmp.File("back.safetensors"));
        Assert.Equal(fitted.Delta, back.Delta);
        Assert.Equal((1, VectorSite.BlockOutput, ApplyMode.Every), (back.Layer, back.Site, back.Apply));

        var evalBack = CliProcess.Run("eval", "--model", Testbed, "--task", "antonym", "--vector", tmp.File("back.safetensors"), "--seeds", "1", "--test-size", "20");
        Assert.True(evalBack.Exit == 0, evalBack.Stderr);
        Assert.Matches(@"^eval exact_match=\d\.\d{3}±\d\.\d{3} first_token=\d\.\d{3}±\d\.\d{3} n=\d+$", evalBack.LastLine);

        var heads = CliProcess.Run("heads", "--vector", vec, "--svg", tmp.File("d.svg"));
        Assert.True(heads.Exit == 0, heads.Stderr);
        Assert.StartsWith($"dims nonzero={fitted.Delta.Count(x => x != 0)}/128 ", heads.LastLine);
    }

    [Fact]
    public void ExportingLayerZeroForLlamaCppIsAOneLineError()
    {
        using var tmp = new TempDir();
        string vec = tmp.File("paper.safetensors");
        Assert.Equal(0, CliProcess.Run("fit", "--model", Testbed, "--task", "antonym", "--layer", "0", "--steps", "5", "--out", vec).Exit);
        var r = CliProcess.Run("export", "--vector", vec, "--format", "gguf", "--model", Testbed, "--out", tmp.File("x.gguf"));
        Assert.Equal(1, r.Exit);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Contains("never steers block 0", r.Stderr);
        var noModel = CliProcess.Run("export", "--vector", vec, "--format", "easysteer", "--out", tmp.File("es"));
        Assert.Equal(1, noModel.Exit);
        Assert.Contains("--model", noModel.Stderr);
        var es = CliProcess.Run("export", "--vector", vec, "--format", "easysteer", "--model", Testbed, "--out", tmp.File("es"));
        Assert.True(es.Exit == 0, es.Stderr);
        Assert.StartsWith("note: exported as W_O·Δ", es.Stdout.Trim().Split('\n')[0]);
        Assert.True(File.Exists(Path.Combine(tmp.File("es"), "request.json")));
    }
}
