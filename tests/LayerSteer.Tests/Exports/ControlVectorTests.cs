using LayerSteer.Exports;
using LayerSteer.Formats.Gguf;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tests.Gguf;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Exports;

/// <summary>Control-vector GGUFs as our writer, llama.cpp's cvector-generator and repeng write them, read back and imported.</summary>
public class ControlVectorTests
{
    static float[] Vec(int n, int seed) { var r = new Random(seed); return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray(); }

    [Fact]
    public void OurFileCarriesTheKeysTheEnginesRead()
    {
        using var tmp = new TempDir();
        var v = Vec(32, 1);
        new ControlVectorFile("llama", "layersteer", new Dictionary<int, float[]> { [2] = v }).Write(tmp.File("cv.gguf"));
        var f = GgufFile.Read(tmp.File("cv.gguf"));
        Assert.Equal("controlvector", f.Get("general.architecture")!.AsString);
        Assert.Equal("llama", f.Get("controlvector.model_hint")!.AsString);
        Assert.Equal("layersteer", f.Get("controlvector.method")!.AsString);
        Assert.Equal(GgufType.UInt32, f.Get("controlvector.layer_count")!.Type);
        Assert.Equal(1L, f.Get("controlvector.layer_count")!.AsInteger);
        var t = Assert.Single(f.Tensors);
        Assert.Equal("direction.2", t.Name);
        Assert.Equal([32L], t.Shape);
        var back = ControlVectorFile.Read(tmp.File("cv.gguf"));
        Assert.Equal(v, back.Directions[2]);
    }

    /// <summary>llama.cpp's cvector-generator: layer_count as Int32 = n_layer − 1, directions 1..n_layer−1, no model_hint check.</summary>
    static string LlamaCppFile(TempDir tmp, float[][] dirs)
    {
        var g = new GgufBytes().Header((uint)dirs.Length, 3).KvString("general.architecture", "controlvector")
            .KvString("controlvector.model_hint", "llama").KvI32("controlvector.layer_count", dirs.Length);
        for (int i = 0; i < dirs.Length; i++) g.Tensor($"direction.{i + 1}", (ulong)dirs[i].Length, 0, (ulong)(i * 4 * dirs[i].Length));
        g.Align();
        foreach (var d in dirs) g.Floats(d);
        return g.Save(tmp.File("llamacpp.gguf"));
    }

    /// <summary>repeng: layer_count as UInt32 = the number of directions, only some layers, written in its own order.</summary>
    static string RepengFile(TempDir tmp, float[] d3, float[] d1)
    {
        var g = new GgufBytes().Header(2, 4).KvString("general.architecture", "controlvector").KvString("controlvector.model_hint", "mistral")
            .KvString("controlvector.method", "pca_diff").KvU32("controlvector.layer_count", 2)
            .Tensor("direction.3", (ulong)d3.Length, 0, 0).Tensor("direction.1", (ulong)d1.Length, 0, (ulong)(4 * d3.Length)).Align();
        return g.Floats(d3).Floats(d1).Save(tmp.File("repeng.gguf"));
    }

    [SharedFact]
    public void ImportsLlamaCppAndRepengVariantsAndOurOwn()
    {
        using var tmp = new TempDir();
        var m = ModelLoader.Load(Shared.Fixture("llama-tiny"));   // 3 layers, hidden 32
        var d1 = Vec(32, 1); var d2 = Vec(32, 2);

        var cpp = ControlVectorImport.Read(LlamaCppFile(tmp, [d1, d2]), m, null, ApplyMode.Every);
        Assert.Equal([1, 2], cpp.Select(v => v.Layer));
        Assert.Equal(tmp.File("v.layer2.safetensors"), ControlVectorImport.OutPath(tmp.File("v.safetensors"), 2, cpp.Count));
        Assert.Equal(tmp.File("v.safetensors"), ControlVectorImport.OutPath(tmp.File("v.safetensors"), 2, 1));
        Assert.Equal(d1, cpp[0].Delta);
        Assert.Equal(d2, cpp[1].Delta);
        Assert.All(cpp, v => { Assert.Equal(VectorSite.BlockOutput, v.Site); Assert.Equal(ApplyMode.Every, v.Apply); v.CheckModel(m, "x"); });

        var rep = ControlVectorImport.Read(RepengFile(tmp, d2, d1), m, 1, ApplyMode.Last);
        var only = Assert.Single(rep);
        Assert.Equal(1, only.Layer);
        Assert.Equal(d1, only.Delta);
        Assert.Contains("pca_diff", only.Header.Source);

        // Ours: a fitted block-output vector → GGUF → import gives the same numbers, and the vector file round-trips.
        var ours = new SteeringVector(d2, SteeringVector.BaseHeader(m, 2, ApplyMode.Every, VectorSite.BlockOutput));
        GgufExport.Write(ResidualVector.Of(ours, m, "ours"), tmp.File("ours.gguf"));
        var back = Assert.Single(ControlVectorImport.Read(tmp.File("ours.gguf"), m, null, ApplyMode.Every));
        Assert.Equal(d2, back.Delta);
        Assert.Equal(2, back.Layer);
        back.Save(tmp.File("back.safetensors"));
        var loaded = SteeringVector.Load(tmp.File("back.safetensors"));
        Assert.Equal(d2, loaded.Delta);
        Assert.Equal(VectorSite.BlockOutput, loaded.Site);
        Assert.Equal(ApplyMode.Every, loaded.Apply);
    }

    [SharedFact]
    public void ImportRefusesWhatDoesNotFitTheModel()
    {
        using var tmp = new TempDir();
        var m = ModelLoader.Load(Shared.Fixture("llama-tiny"));
        void Fails(string path, int? layer, string message)
        {
            var e = Assert.Throws<LayerSteerException>(() => ControlVectorImport.Read(path, m, layer, ApplyMode.Every));
            Assert.Contains(message, e.Message);
            Assert.Contains(path, e.Message);
        }
        Fails(LlamaCppFile(tmp, [Vec(48, 1)]), null, "hidden size is 32");
        Fails(RepengFile(tmp, Vec(32, 1), Vec(32, 2)), 2, "has no direction.2 (it has layers 1, 3)");
        Fails(RepengFile(tmp, Vec(32, 1), Vec(32, 2)), null, "direction.3 is past this model's 3 layers");
        Fails(new GgufBytes().Header(0, 1).KvString("general.architecture", "llama").Save(tmp.File("model.gguf")), null, "not a control vector");
        Fails(new GgufBytes().Header(1, 0).Tensor("token_embd.weight", 32, 0, 0).Align().Floats(new float[32]).Save(tmp.File("other.gguf")), null, "not a control-vector direction");
        Fails(new GgufBytes().Header(1, 0).Tensor("direction.1", 32, 1, 0).Align().Floats(new float[16]).Save(tmp.File("f16.gguf")), null, "a direction is 1-D F32");
        Fails(new GgufBytes().Header(1, 0).Tensor("direction.1", 32, 0, 0).Align().Floats(new float[31]).F32(float.NaN).Save(tmp.File("nan.gguf")), null, "NaN");
        Fails(new GgufBytes().Header(2, 0).Tensor("direction.1", 32, 0, 0).Tensor("direction.2", 16, 0, 128).Align().Floats(new float[48]).Save(tmp.File("ragged.gguf")), null, "the other directions 32");
        Fails(new GgufBytes().Header(2, 0).Tensor("direction.1", 32, 0, 0).Tensor("direction.01", 32, 0, 128).Align().Floats(new float[64]).Save(tmp.File("twice.gguf")), null, "another direction already has");
        Fails(new GgufBytes().Header(0, 1).KvString("general.architecture", "controlvector").Save(tmp.File("empty.gguf")), null, "no direction");
        Fails(new GgufBytes().Header(1, 1).KvString("controlvector.layer_count", "two").Tensor("direction.1", 32, 0, 0).Align().Floats(new float[32]).Save(tmp.File("lc.gguf")), null, "layer_count must be a non-negative integer");
    }
}
