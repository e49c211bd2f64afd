using System.Text.Json.Nodes;
using LayerSteer.Exports;
using LayerSteer.Formats;
using LayerSteer.Formats.Gguf;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Exports;

public class ExportTests
{
    static float[] Vec(int n, int seed) { var r = new Random(seed); return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray(); }

    /// <summary>W_O·Δ is what Δ at the o_proj input adds to the attention output, whatever the other heads' outputs, and
    /// carries no o_proj bias (GPT-2 has one).</summary>
    [SharedTheory]
    [InlineData("gpt2-tiny")]
    [InlineData("llama-tiny")]
    public void OProjImageIsWhatDeltaAddsToTheAttentionOutput(string fixture)
    {
        var m = ModelLoader.Load(Shared.Fixture(fixture));
        var layer = m.Layers[^1];
        var delta = Vec(m.Config.SiteWidth, 1);
        var site = Vec(m.Config.SiteWidth, 2);
        var both = site.Concat(site.Zip(delta, (s, d) => s + d)).ToArray();
        var y = new float[2 * m.Hidden];
        layer.O.Forward(both, y, 2);
        var image = OProjImage.Of(layer, delta);
        for (int j = 0; j < m.Hidden; j++) Assert.Equal(y[m.Hidden + j] - y[j], image[j], 1e-4);
    }

    [SharedFact]
    public void GgufExportMovesAnOProjDeltaAndSaysSo()
    {
        using var tmp = new TempDir();
        var m = ModelLoader.Load(Shared.Fixture("llama-tiny"));
        var delta = Vec(m.Config.SiteWidth, 3);
        var v = new SteeringVector(delta, SteeringVector.BaseHeader(m, 1, ApplyMode.Last));
        var noModel = Assert.Throws<LayerSteerException>(() => ResidualVector.Of(v, null, "v.safetensors"));
        Assert.Contains("--model", noModel.Message);
        Assert.StartsWith("v.safetensors:", noModel.Message);

        var r = ResidualVector.Of(v, m, "v.safetensors");
        string? note = GgufExport.Write(r, tmp.File("v.gguf"));
        Assert.Contains("after layer 1's MLP", note);
        Assert.DoesNotContain("post-attention norm", note);   // Llama has none; Gemma 2 does
        var gemma = ModelLoader.Load(Shared.Fixture("gemma2-tiny"));
        var g = new SteeringVector(Vec(gemma.Config.SiteWidth, 3), SteeringVector.BaseHeader(gemma, 1, ApplyMode.Every));
        Assert.Contains("bypasses its post-attention norm", ResidualVector.Of(g, gemma, "g").Note(ApplyMode.Every, "llama.cpp"));
        Assert.Contains("every position", note);
        Assert.DoesNotContain("\n", note!);
        var cv = ControlVectorFile.Read(tmp.File("v.gguf"));
        Assert.Equal(OProjImage.Of(m.Layers[1], delta), cv.Directions[1]);
        Assert.Equal("llama", cv.ModelHint);

        // A block-output vector fitted for every position goes as it is, without a note; one at layer 0 cannot go to llama.cpp.
        var res = new SteeringVector(Vec(m.Hidden, 4), SteeringVector.BaseHeader(m, 2, ApplyMode.Every, VectorSite.BlockOutput));
        Assert.Null(GgufExport.Write(ResidualVector.Of(res, null, "r"), tmp.File("r.gguf")));
        Assert.Equal(res.Delta, ControlVectorFile.Read(tmp.File("r.gguf")).Directions[2]);
        var zero = new SteeringVector(Vec(m.Hidden, 4), SteeringVector.BaseHeader(m, 0, ApplyMode.Every, VectorSite.BlockOutput));
        var e = Assert.Throws<LayerSteerException>(() => GgufExport.Write(ResidualVector.Of(zero, null, "z"), tmp.File("z.gguf")));
        Assert.Contains("never steers block 0", e.Message);
        Assert.False(File.Exists(tmp.File("z.gguf")));
    }

    [SharedTheory]
    [InlineData(ApplyMode.Last, """{"prompt_positions":[-1]}""")]
    [InlineData(ApplyMode.All, """{"prompt_positions":[-1],"generation":"all"}""")]
    [InlineData(ApplyMode.Every, """{"prompt":"all","generation":"all"}""")]
    public void EasySteerRequestSteersLayerLAtTheApplyPositions(ApplyMode apply, string positions)
    {
        using var tmp = new TempDir();
        var m = ModelLoader.Load(Shared.Fixture("llama-tiny"));
        var v = new SteeringVector(Vec(m.Hidden, 5), SteeringVector.BaseHeader(m, 0, ApplyMode.Last, VectorSite.BlockOutput));
        string? note = EasySteerExport.Write(ResidualVector.Of(v, null, "v"), apply, "Q: hot\nA:", tmp.Path);
        Assert.Equal(apply == ApplyMode.Last, note == null);
        var body = JsonNode.Parse(File.ReadAllText(tmp.File(EasySteerExport.RequestFile)))!;
        Assert.Equal("Q: hot\nA:", (string)body["prompt"]!);
        var spec = body["steering"]!["vectors"]!.AsArray().Single()!;
        Assert.Equal("direct", (string)spec["algorithm"]!);
        Assert.Equal("[0]", spec["layers"]!.ToJsonString());
        Assert.Equal(positions, spec["apply"]!.ToJsonString());
        string gguf = (string)spec["source"]!;
        Assert.True(Path.IsPathRooted(gguf));
        Assert.Equal(v.Delta, ControlVectorFile.Read(gguf).Directions[0]);   // EasySteer steers layer 0 too
    }

    [SharedTheory]
    [InlineData("llama-tiny", VectorSite.OProjInput, 1, "model.layers.1.self_attn.o_proj", "register_forward_pre_hook")]
    [InlineData("gpt2-tiny", VectorSite.OProjInput, 0, "transformer.h.0.attn.c_proj", "register_forward_pre_hook")]
    [InlineData("llama-tiny", VectorSite.BlockOutput, 2, "model.layers.2", "register_forward_hook")]
    public void TransformersExportHooksTheSite(string fixture, VectorSite site, int layer, string module, string hook)
    {
        using var tmp = new TempDir();
        var m = ModelLoader.Load(Shared.Fixture(fixture));
        var v = new SteeringVector(Vec(VectorSites.Width(m, site), 6), SteeringVector.BaseHeader(m, layer, ApplyMode.Last, site) with { Task = "antonym" });
        TransformersExport.Write(v, ApplyMode.Last, tmp.Path);
        string py = File.ReadAllText(tmp.File(TransformersExport.ScriptFile));
        Assert.Contains($"MODULE = \"{module}\"", py);
        Assert.Contains($"handle = module.{hook}(hook)", py);
        Assert.Contains("APPLY = \"last\"", py);
        Assert.Contains("mask = pos == prompt_length - 1", py);   // last: the last prompt token only
        Assert.Contains("\"delta.safetensors\"", py);
        Assert.Contains("x[:, mask] += (alpha * delta)", py);
        Assert.DoesNotContain("{{", py);
        Assert.DoesNotContain('\t', py);
        using var st = new SafeTensorsFile(tmp.File(TransformersExport.DeltaFile));
        Assert.Equal(v.Delta, st.ReadF32("delta"));
        Assert.Equal(module, st.Metadata["module"]);
        Assert.Equal(layer.ToString(), st.Metadata["layer"]);
    }
}
