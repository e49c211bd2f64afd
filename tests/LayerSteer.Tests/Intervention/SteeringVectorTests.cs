using LayerSteer.Formats;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Intervention;

public class SteeringVectorTests
{
    [SharedFact]
    public void RoundTripsAndRefusesAnotherModel()
    {
        using var tmp = new TempDir();
        var llama = ModelLoader.Load(Shared.Fixture("llama-tiny"));
        var header = SteeringVector.BaseHeader(llama, 1, ApplyMode.All) with { Task = "antonym", Gamma = 0.01f, TrainInputs = ["hot"] };
        var delta = Enumerable.Range(0, llama.Config.SiteWidth).Select(i => i * 0.25f - 3f).ToArray();
        new SteeringVector(delta, header).Save(tmp.File("v.safetensors"));
        var back = SteeringVector.Load(tmp.File("v.safetensors"));
        Assert.Equal(delta, back.Delta);
        Assert.Equal(1, back.Layer);
        Assert.Equal(ApplyMode.All, back.Apply);
        Assert.Equal(header with { TrainInputs = [] }, back.Header with { TrainInputs = [] });
        Assert.Equal(header.TrainInputs, back.Header.TrainInputs);
        back.CheckModel(llama, "v");
        var qwen = ModelLoader.Load(Shared.Fixture("qwen2-tiny"));
        var e = Assert.Throws<LayerSteerException>(() => back.CheckModel(qwen, tmp.File("v.safetensors")));
        Assert.Contains("another model", e.Message);
        Assert.Contains("v.safetensors", e.Message);
    }

    [Fact]
    public void RejectsFilesThatAreNotVectors()
    {
        using var tmp = new TempDir();
        SafeTensorsWriter.Write(tmp.File("plain.safetensors"), new Dictionary<string, TensorData> { ["delta"] = TensorData.F32([2], [1f, 2f]) });
        Assert.Contains("not a LayerSteer vector", Assert.Throws<LayerSteerException>(() => SteeringVector.Load(tmp.File("plain.safetensors"))).Message);
        File.WriteAllText(tmp.File("junk.safetensors"), "hello");
        Assert.Contains("junk.safetensors", Assert.Throws<LayerSteerException>(() => SteeringVector.Load(tmp.File("junk.safetensors"))).Message);
        var md = new Dictionary<string, string> { ["format"] = SteeringVector.Format, ["format_version"] = "1", ["layer"] = "0" };
        SafeTensorsWriter.Write(tmp.File("nan.safetensors"), new Dictionary<string, TensorData> { ["delta"] = TensorData.F32([2], [1f, float.NaN]) }, md);
        Assert.Contains("NaN", Assert.Throws<LayerSteerException>(() => SteeringVector.Load(tmp.File("nan.safetensors"))).Message);
        Assert.Contains("not found", Assert.Throws<LayerSteerException>(() => SteeringVector.Load(tmp.File("missing.safetensors"))).Message);
    }
}
