using System.Runtime.InteropServices;
using LayerSteer.Formats;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Formats;

public class Llama2cCheckpointTests
{
    /// <summary>Header ints then <paramref name="floats"/> fp32 values 0, 1, 2, ... (so each value names its file position).</summary>
    static string Checkpoint(TempDir tmp, int[] header, int floats, string name = "model.bin")
    {
        var values = Enumerable.Range(0, floats).Select(i => (float)i).ToArray();
        File.WriteAllBytes(tmp.File(name), [.. MemoryMarshal.AsBytes(header.AsSpan()), .. MemoryMarshal.AsBytes(values.AsSpan())]);
        return tmp.File(name);
    }

    // dim 8, hidden 4, 1 layer, 2 heads (head size 4), 1 kv head, vocab 5 untied (negative), seq 3.
    static readonly int[] Tiny = [8, 4, 1, 2, 1, -5, 3];
    // embed 40, rms_att 8, wq 64, wk 32, wv 32, wo 64, rms_ffn 8, w1 32, w2 32, w3 32, rms_final 8, freq_cis 12, wcls 40.
    const int TinyFloats = 404;

    [Fact]
    public void Tensors_get_HF_names_shapes_and_file_positions()
    {
        using var tmp = new TempDir();
        var ck = Llama2cCheckpoint.Load(Checkpoint(tmp, Tiny, TinyFloats));
        var w = ck.Weights;
        float First(string name) => w.ReadF32(name)[0];
        Assert.Equal(0f, First("model.embed_tokens.weight"));
        Assert.Equal(40f, First("model.layers.0.input_layernorm.weight"));
        Assert.Equal(144f, First("model.layers.0.self_attn.v_proj.weight"));
        Assert.Equal(176f, First("model.layers.0.self_attn.o_proj.weight"));
        Assert.Equal(240f, First("model.layers.0.post_attention_layernorm.weight"));
        Assert.Equal(248f, First("model.layers.0.mlp.gate_proj.weight"));
        Assert.Equal(280f, First("model.layers.0.mlp.down_proj.weight"));
        Assert.Equal(312f, First("model.layers.0.mlp.up_proj.weight"));
        Assert.Equal(344f, First("model.norm.weight"));
        Assert.Equal(364f, First("lm_head.weight"));
        Assert.Equal([4L, 8L], w.Info("model.layers.0.self_attn.k_proj.weight").Shape);
        Assert.Equal([8L, 4L], w.Info("model.layers.0.mlp.down_proj.weight").Shape);
        Assert.Equal([5L, 8L], w.Info("lm_head.weight").Shape);
    }

    [Fact]
    public void Q_and_k_rows_move_from_interleaved_pairs_to_rotate_half()
    {
        using var tmp = new TempDir();
        var w = Llama2cCheckpoint.Load(Checkpoint(tmp, Tiny, TinyFloats)).Weights;
        // wq starts at float 48 and wk at 112, 8 floats per row; per head of 4 rows HF order is llama2.c rows 0, 2, 1, 3.
        float[] RowStarts(string name, int start) => Enumerable.Range(0, (int)w.Info(name).Shape[0]).Select(r => w.ReadF32(name)[r * 8] - start).ToArray();
        Assert.Equal([0f, 16f, 8f, 24f, 32f, 48f, 40f, 56f], RowStarts("model.layers.0.self_attn.q_proj.weight", 48));
        Assert.Equal([0f, 16f, 8f, 24f], RowStarts("model.layers.0.self_attn.k_proj.weight", 112));
    }

    [Fact]
    public void Config_is_synthesized_from_the_header()
    {
        using var tmp = new TempDir();
        var c = Llama2cCheckpoint.Load(Checkpoint(tmp, Tiny, TinyFloats)).Config;
        Assert.Equal(("llama", 5, 8, 4, 1, 2, 1, 4, 3), (c.ModelType, c.VocabSize, c.HiddenSize, c.IntermediateSize, c.NumLayers, c.NumHeads, c.NumKvHeads, c.HeadDim, c.MaxPositions));
        Assert.False(c.TieWordEmbeddings);
        Assert.Equal((1e-5, 10000.0, 1), (c.NormEps, c.RopeTheta, c.BosTokenId));
        Assert.Equal([2], c.EosTokenIds);
    }

    [Theory]
    [InlineData(new[] { 0, 4, 1, 2, 1, 5, 3 }, 100, "non-positive sizes")]
    [InlineData(new[] { 8, 4, 1, 2, 1, 5, 3 }, 100, "truncated or not a llama2.c checkpoint")]
    [InlineData(new[] { 8, 4, 1, 3, 1, 5, 3 }, 100, "dim divisible by n_heads")]
    [InlineData(new[] { 6, 4, 1, 2, 1, 5, 3 }, 100, "even head size")]
    [InlineData(new[] { 8, 4, 1, 2, 3, 5, 3 }, 100, "n_heads divisible by n_kv_heads")]
    [InlineData(new[] { 8, 4, 1, 2, 1, int.MinValue, 3 }, 100, "non-positive sizes")]
    [InlineData(new[] { 8, 4, 1, 2, 1, -5, 3 }, TinyFloats + 1, "trailing data")]
    [InlineData(new[] { 1 << 30, 1 << 30, 1 << 30, 1 << 20, 1 << 20, 1 << 30, 1 << 30 }, 4, "needs 34662321113825710154799120412 bytes, file has 44")]
    public void Bad_header_is_rejected_before_allocating(int[] header, int floats, string problem)
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<LayerSteerException>(() => Llama2cCheckpoint.Load(Checkpoint(tmp, header, floats, "bad.bin")));
        Assert.Contains("bad.bin", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void File_shorter_than_the_header()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.File("stub.bin"), new byte[10]);
        var e = Assert.Throws<LayerSteerException>(() => Llama2cCheckpoint.Load(tmp.File("stub.bin")));
        Assert.Contains("stub.bin: truncated: 10 bytes", e.Message);
    }

    [SharedFact]
    public void Stories260K_converts_bit_for_bit_to_the_official_HF_conversion()
    {
        var ck = Llama2cCheckpoint.Load(Shared.Path("models", "stories260K", "stories260K.bin"));
        using var hf = new SafeTensorsFile(Shared.Path("models", "stories260K-hf", "model.safetensors"));
        Assert.Equal(hf.Names.Order(), ck.Weights.Names.Order());
        foreach (string name in hf.Names)
        {
            Assert.Equal(hf.Info(name).Shape, ck.Weights.Info(name).Shape);
            Assert.True(hf.Raw(name).SequenceEqual(ck.Weights.Raw(name)), name);
        }
        var hfConfig = ModelConfig.Load(Shared.Path("models", "stories260K-hf", "config.json"));
        Assert.Equal(hfConfig with { EosTokenIds = [] }, ck.Config with { EosTokenIds = [] });
        Assert.Equal(hfConfig.EosTokenIds, ck.Config.EosTokenIds);
    }

    [SharedFact]
    public void Stories260K_q_rows_differ_without_the_permutation()
    {
        // Guards the test above: the raw llama2.c wq of layer 0 (after embedding and rms_att) is not the HF tensor.
        var bytes = File.ReadAllBytes(Shared.Path("models", "stories260K", "stories260K.bin"));
        int start = 28 + 4 * (512 * 64 + 5 * 64);
        using var hf = new SafeTensorsFile(Shared.Path("models", "stories260K-hf", "model.safetensors"));
        var hfQ = hf.Raw("model.layers.0.self_attn.q_proj.weight");
        Assert.False(hfQ.SequenceEqual(bytes.AsSpan(start, hfQ.Length)));
        var sorted = (byte[] b) => MemoryMarshal.Cast<byte, float>(b).ToArray().Order().ToArray();
        Assert.Equal(sorted(hfQ.ToArray()), sorted(bytes.AsSpan(start, hfQ.Length).ToArray())); // same values, other order
    }
}
