using LayerSteer.Formats;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Formats;

public class ShardedSafeTensorsTests
{
    /// <summary>Two shards and an index naming them; returns the index path.</summary>
    static string TwoShards(TempDir tmp, string? indexJson = null)
    {
        SafeTensorsWriter.Write(tmp.File("model-00001-of-00002.safetensors"), new Dictionary<string, TensorData> { ["a"] = TensorData.F32([2], [1f, 2f]) });
        SafeTensorsWriter.Write(tmp.File("model-00002-of-00002.safetensors"), new Dictionary<string, TensorData> { ["b"] = TensorData.F32([1], [3f]) });
        File.WriteAllText(tmp.File(WeightSources.IndexFile), indexJson ??
            """{"metadata": {"total_size": 12}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""");
        return tmp.File(WeightSources.IndexFile);
    }

    [Fact]
    public void Reads_each_tensor_from_its_shard()
    {
        using var tmp = new TempDir();
        using var w = new ShardedSafeTensors(TwoShards(tmp));
        Assert.Equal(["a", "b"], w.Names);
        Assert.Equal([1f, 2f], w.ReadF32("a"));
        Assert.Equal([3f], w.ReadF32("b"));
        Assert.Equal(4, w.Raw("b").Length);
        Assert.False(w.Contains("c"));
    }

    [Theory]
    [InlineData("""{"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00003-of-00003.safetensors"}}""", "shard \"model-00003-of-00003.safetensors\" (holding \"b\") not found")]
    [InlineData("""{"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00001-of-00002.safetensors"}}""", "tensor \"b\" is mapped to \"model-00001-of-00002.safetensors\" but that shard does not contain it")]
    [InlineData("""{"weight_map": {"a": "model-00001-of-00002.safetensors",""", "not valid JSON")]
    [InlineData("""{"metadata": {}}""", "\"weight_map\" object")]
    [InlineData("""{"weight_map": {"a": "../outside.safetensors"}}""", "must be a shard file name")]
    [InlineData("""{"weight_map": {"a": 1}}""", "must be a shard file name")]
    [InlineData("""{"weight_map": {}}""", "weight_map is empty")]
    [InlineData("""[]""", "\"weight_map\" object")]
    public void Bad_index_is_rejected_with_file_and_problem(string index, string problem)
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<LayerSteerException>(() => new ShardedSafeTensors(TwoShards(tmp, index)).Dispose());
        Assert.Contains(WeightSources.IndexFile, e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Open_prefers_the_single_file_then_the_index()
    {
        using var tmp = new TempDir();
        TwoShards(tmp);
        using (var sharded = WeightSources.Open(tmp.Path)) Assert.IsType<ShardedSafeTensors>(sharded);
        SafeTensorsWriter.Write(tmp.File(WeightSources.SingleFile), new Dictionary<string, TensorData> { ["z"] = TensorData.F32([1], [0f]) });
        using (var single = WeightSources.Open(tmp.Path)) Assert.Equal(["z"], single.Names);
    }

    [Fact]
    public void Open_on_a_folder_without_weights_says_what_it_looked_for()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<LayerSteerException>(() => WeightSources.Open(tmp.Path));
        Assert.Contains(tmp.Path, e.Message);
        Assert.Contains("model.safetensors and model.safetensors.index.json", e.Message);
    }
}
