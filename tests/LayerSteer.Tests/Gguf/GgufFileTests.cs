using LayerSteer.Formats;
using LayerSteer.Formats.Gguf;
using LayerSteer.Tensors;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Gguf;

public class GgufFileTests
{
    [Fact]
    public void WriterOutputReadsBackExactly()
    {
        using var tmp = new TempDir();
        string path = tmp.File("t.gguf");
        var a = Enumerable.Range(0, 7).Select(i => i * 0.5f - 1.25f).ToArray();
        var b = new[] { float.MaxValue, float.Epsilon, -0f };
        GgufWriter.Write(path,
            [new("general.architecture", GgufValue.Of("controlvector")), new("x.count", GgufValue.Of(7u)), new("x.signed", GgufValue.Of(-3)), new("x.f", GgufValue.Of(0.25f))],
            [new("direction.1", a), new("direction.12", b)]);
        var f = GgufFile.Read(path);
        Assert.Equal(3u, f.Version);
        Assert.Equal(["general.architecture", "x.count", "x.signed", "x.f"], f.Metadata.Select(kv => kv.Key));
        Assert.Equal("controlvector", f.Get("general.architecture")!.AsString);
        Assert.Equal(GgufType.UInt32, f.Get("x.count")!.Type);
        Assert.Equal(7L, f.Get("x.count")!.AsInteger);
        Assert.Equal(-3L, f.Get("x.signed")!.AsInteger);
        Assert.Equal(0.25f, f.Get("x.f")!.Value);
        Assert.Null(f.Get("missing"));
        Assert.Equal(["direction.1", "direction.12"], f.Tensors.Select(t => t.Name));
        Assert.All(f.Tensors, t => Assert.Equal(0, (t.Offset - f.DataStart) % 32));
        Assert.Equal(0, f.DataStart % 32);
        Assert.Equal(a, f.ReadF32(f.Tensors[0]));
        Assert.Equal(b, f.ReadF32(f.Tensors[1]));
        Assert.Equal(f.Tensors[1].Offset + 12, new FileInfo(path).Length - 20);   // the last tensor is padded to 32 bytes
    }

    /// <summary>A file llama.cpp's converter wrote: our reader finds its metadata and the same token embeddings as the safetensors.</summary>
    [SharedFact]
    public void ReadsTheWordWorldModelGguf()
    {
        var f = GgufFile.Read(Shared.Path("models", "wordworld-v1", "wordworld-v1.f32.gguf"));
        Assert.Equal("llama", f.Get("general.architecture")!.AsString);
        Assert.Equal(4L, f.Get("llama.block_count")!.AsInteger);
        Assert.Equal(192L, f.Get("llama.embedding_length")!.AsInteger);
        Assert.Equal(GgufType.Array, f.Get("tokenizer.ggml.tokens")!.Type);
        var emb = f.Tensors.Single(t => t.Name == "token_embd.weight");
        Assert.Equal([192L, 2048L], emb.Shape);   // ggml order: the row (hidden) dimension first
        Assert.Equal(DType.F32, emb.Type);
        var fromGguf = f.ReadF32(emb);
        using var st = new SafeTensorsFile(Shared.Path("models", "wordworld-v1", "model.safetensors"));
        Assert.Equal(st.ReadF32("model.embed_tokens.weight"), fromGguf);
    }

    static string Header(TempDir tmp, Func<GgufBytes, GgufBytes> body, string name = "bad.gguf") => body(new GgufBytes()).Save(tmp.File(name));

    public static TheoryData<string, string> Malformed => new()
    {
        { "magic", "not a GGUF file" },
        { "version1", "version 1" },
        { "bigendian", "version 50331648" },
        { "truncated", "cut short" },
        { "hugecount", "tensor count" },
        { "hugestring", "claims" },
        { "tiny", "shorter than a GGUF header" },
        { "unknowntype", "unknown type 13" },
        { "badbool", "bool byte 2" },
        { "nestedarray", "array of arrays" },
        { "duplicatekey", "appears twice" },
        { "duplicatetensor", "appears twice" },
        { "unaligned", "not a multiple of the alignment" },
        { "pastend", "past the end" },
        { "quantized", "ggml type 2" },
        { "alignment", "power-of-two" },
        { "overlap", "overlap" },
        { "utf8", "not valid UTF-8" },
        { "dims", "5 dimensions" },
        { "longname", "tensor name" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void RejectsMalformedFilesNamingThem(string kind, string message)
    {
        using var tmp = new TempDir();
        string path = Header(tmp, g => kind switch
        {
            "magic" => g.Raw("GGUX"u8.ToArray()).U32(3).U64(0).U64(0),
            "version1" => g.Header(0, 0, version: 1),
            "bigendian" => g.Header(0, 0, version: 0x03000000),
            "truncated" => g.Header(0, 1).Str("general.name").U32(4).Raw(1, 2),
            "hugecount" => g.Header(uint.MaxValue, 0),
            "tiny" => g.Raw("GGUF"u8.ToArray()).U32(3),
            "hugestring" => g.Header(0, 1).U64(1UL << 40).Raw(new byte[16]),
            "unknowntype" => g.Header(0, 1).Str("k").U32(13).U32(0),
            "badbool" => g.Header(0, 1).Str("k").U32(7).Raw(2).Raw(new byte[8]),
            "nestedarray" => g.Header(0, 1).Str("k").U32(9).U32(9).U64(1).Raw(new byte[16]),
            "duplicatekey" => g.Header(0, 2).KvU32("k", 1).KvU32("k", 2),
            "duplicatetensor" => g.Header(2, 0).Tensor("direction.1", 4, 0, 0).Tensor("direction.1", 4, 0, 32).Align().Floats(new float[16]),
            "unaligned" => g.Header(1, 0).Tensor("direction.1", 4, 0, 4).Align().Floats(new float[16]),
            "pastend" => g.Header(1, 0).Tensor("direction.1", 1000, 0, 0).Align().Floats(new float[16]),
            "quantized" => g.Header(1, 0).Tensor("w", 32, 2, 0).Align().Floats(new float[16]),
            "alignment" => g.Header(0, 1).KvU32("general.alignment", 24),
            "overlap" => g.Header(2, 1).KvU32("general.alignment", 4).Tensor("a", 4, 0, 0).Tensor("b", 4, 0, 8).Align().Floats(new float[16]),
            "utf8" => g.Header(0, 1).U64(2).Raw(0xC3, 0x28).U32(4).U32(1),
            "dims" => g.Header(1, 0).Str("w").U32(5).U64(1).U64(1).U64(1).U64(1).U64(1).U32(0).U64(0).Align().Floats(new float[16]),
            "longname" => g.Header(1, 0).Tensor(new string('x', 64), 1, 0, 0).Align().Floats(new float[16]),
            _ => throw new ArgumentException(kind),
        });
        var e = Assert.Throws<LayerSteerException>(() => GgufFile.Read(path));
        Assert.Contains(message, e.Message);
        Assert.StartsWith(path + ":", e.Message);
    }

    [Fact]
    public void MissingFileIsAClearError()
    {
        var e = Assert.Throws<LayerSteerException>(() => GgufFile.Read("/nonexistent/x.gguf"));
        Assert.Contains("not found", e.Message);
    }
}
