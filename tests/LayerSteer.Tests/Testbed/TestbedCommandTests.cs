using System.Text.Json;
using LayerSteer.Formats;
using LayerSteer.Models;
using LayerSteer.Testbed;
using LayerSteer.Tests.Support;
using LayerSteer.Tensors;
using LayerSteer.Hub;

namespace LayerSteer.Tests.Testbed;

public class TestbedCommandTests
{
    [Fact]
    public void BuildWritesAHuggingFaceFolderThatLoads()
    {
        using var tmp = new TempDir();
        string outDir = tmp.File("tb");
        var r = CliProcess.Run("testbed", "build", "--out", outDir, "--steps", "4", "--layers", "1", "--hidden", "16", "--heads", "2", "--kv-heads", "1",
            "--vocab", "300", "--batch", "2", "--seq", "16");
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.StartsWith("testbed out=", r.LastLine);
        Assert.Contains("step 4/4", r.Stderr);
        foreach (var f in new[] { "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "facts.json", "README.md", "LICENSE.function_vectors" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.False(File.Exists(Path.Combine(outDir, "checkpoint.safetensors")));

        var b = ModelBundle.Open(outDir);
        Assert.Equal(1, b.Model.Config.NumLayers);
        Assert.Equal(300, b.Model.Vocab);
        Assert.True(b.Model.Config.TieWordEmbeddings);
        using (var st = new SafeTensorsFile(Path.Combine(outDir, "model.safetensors")))
            Assert.All(st.Names, n => Assert.Equal(DType.BF16, st.Info(n).DType));
        var tok = b.RequireTokenizer();
        Assert.Equal(0, tok.BosId);
        Assert.Equal(0, tok.Encode("Q: hot\nA:")[0]);

        using var facts = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "facts.json")));
        var selected = FactSet.Select(TestbedData.DefaultDir()!, Relation.All, 0);
        foreach (var rel in Relation.All)
        {
            Assert.Equal(selected.ByRelation[rel.Name].Length, facts.RootElement.GetProperty("taught").GetProperty(rel.Name).GetInt32());
            int known = facts.RootElement.GetProperty("known").GetProperty(rel.Name).GetInt32();
            string task = Path.Combine(outDir, "tasks", rel.Name + ".json");
            Assert.Equal(known > 0, File.Exists(task));
            if (known > 0) Assert.Equal(known, LayerSteer.Tasks.TaskPairs.Load(task).Pairs.Length);
        }
        Assert.Contains("| relation | kind | taught facts | known (probe) | share |", File.ReadAllText(Path.Combine(outDir, "README.md")));
    }

    [Theory]
    [InlineData("--heads", "--hidden", "130", "--heads", "4")]
    [InlineData("--vocab", "--vocab", "200")]
    [InlineData("abstractive", "--data", "/nonexistent")]
    public void BadOptionsAreOneClearLine(string expected, params string[] args)
    {
        using var tmp = new TempDir();
        var r = CliProcess.Run(["testbed", "build", "--out", tmp.File("x"), "--steps", "2", .. args]);
        Assert.Equal(1, r.Exit);
        Assert.Contains(expected, r.Stderr);
        Assert.StartsWith("error:", r.Stderr.Trim().Split('\n')[^1]);
    }
}
