using LayerSteer.Formats;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Intervention;

/// <summary>Vector files of format version 2 carry the site and the "every" apply mode; version-1 files stay readable.</summary>
public class VectorFileVersionTests
{
    static void Write(string path, int width, Dictionary<string, string> md) =>
        SafeTensorsWriter.Write(path, new Dictionary<string, TensorData> { ["delta"] = TensorData.F32([width], Enumerable.Range(0, width).Select(i => i * 0.1f).ToArray()) }, md);

    [Fact]
    public void ReadsVersionOneFilesAsTheyWereWritten()
    {
        using var tmp = new TempDir();
        // What the version-1 writer put in a Δ file (with and without the site, which early files lacked).
        var v1 = new Dictionary<string, string>
        {
            ["format"] = SteeringVector.Format, ["format_version"] = "1", ["model_fingerprint"] = "abc", ["architecture"] = "llama", ["layer"] = "2",
            ["layer_convention"] = "0-based (model.layers.{layer})", ["site"] = "o_proj input (concatenated head outputs)", ["site_width"] = "8",
            ["apply"] = "all", ["head_dim"] = "4", ["task"] = "antonym", ["train_inputs"] = "[\"hot\"]",
        };
        Write(tmp.File("v1.safetensors"), 8, v1);
        var v = SteeringVector.Load(tmp.File("v1.safetensors"));
        Assert.Equal((2, VectorSite.OProjInput, ApplyMode.All, 8, "antonym"), (v.Layer, v.Site, v.Apply, v.Header.Width, v.Task));
        v1.Remove("site"); v1.Remove("apply");
        Write(tmp.File("v1-nosite.safetensors"), 8, v1);
        var old = SteeringVector.Load(tmp.File("v1-nosite.safetensors"));
        Assert.Equal((VectorSite.OProjInput, ApplyMode.Last), (old.Site, old.Apply));

        v1["format_version"] = "3";
        Write(tmp.File("v3.safetensors"), 8, v1);
        Assert.Contains("this build reads 1 and 2", Assert.Throws<LayerSteerException>(() => SteeringVector.Load(tmp.File("v3.safetensors"))).Message);
        v1["format_version"] = "2"; v1["apply"] = "sometimes";
        Write(tmp.File("bad.safetensors"), 8, v1);
        Assert.Contains("\"every\"", Assert.Throws<LayerSteerException>(() => SteeringVector.Load(tmp.File("bad.safetensors"))).Message);
    }

    [SharedFact]
    public void BlockOutputVectorsRoundTripWithTheirSite()
    {
        using var tmp = new TempDir();
        var m = ModelLoader.Load(Shared.Fixture("llama-tiny"));
        var header = SteeringVector.BaseHeader(m, 1, ApplyMode.Every, VectorSite.BlockOutput) with { Source = "control-vector GGUF x.gguf" };
        var delta = Enumerable.Range(0, m.Hidden).Select(i => i * 0.5f).ToArray();
        new SteeringVector(delta, header).Save(tmp.File("r.safetensors"));
        var back = SteeringVector.Load(tmp.File("r.safetensors"));
        Assert.Equal(header with { TrainInputs = [] }, back.Header with { TrainInputs = [] });
        Assert.Equal(new Addition(1, delta, 2f, ApplyMode.Every, VectorSite.BlockOutput) with { Delta = back.Delta }, back.ToAddition(2f));
        back.CheckModel(m, "r");
        // A residual vector has the hidden width; an o_proj-input vector of that width on this model is another vector.
        var wrong = new SteeringVector(new float[m.Hidden + 1], header);
        Assert.Contains("another model", Assert.Throws<LayerSteerException>(() => wrong.CheckModel(m, "w")).Message);
    }
}
