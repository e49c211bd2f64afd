using System.Buffers.Binary;
using System.Runtime.InteropServices;
using LayerSteer.Formats;
using LayerSteer.Tests.Support;
using LayerSteer.Tensors;

namespace LayerSteer.Tests.Formats;

public class SafeTensorsRoundTripTests
{
    static byte[] Bytes<T>(T[] values) where T : struct => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    static Dictionary<string, TensorData> Sample() => new()
    {
        ["w.f32"] = TensorData.F32([2, 3], [1f, -2f, 3.5f, 0f, float.MaxValue, -0f]),
        ["w.f16"] = new(DType.F16, [3], Bytes(new[] { (Half)1.5, (Half)(-0.25), Half.Epsilon })),
        ["w.bf16"] = new(DType.BF16, [2], Bytes(new ushort[] { 0x3F80, 0xC040 })), // 1.0, -3.0
        ["w.f64"] = new(DType.F64, [1, 2], Bytes(new[] { 0.5, -1e10 })),
        ["ids"] = new(DType.I64, [2], Bytes(new long[] { 7, -1 })),
        ["mask"] = new(DType.Bool, [3], [1, 0, 1]),
        ["empty"] = new(DType.F32, [0, 4], []),
        ["scalar"] = TensorData.F32([], [42f]),
    };

    [Fact]
    public void Written_tensors_read_back_identically()
    {
        using var tmp = new TempDir();
        var tensors = Sample();
        SafeTensorsWriter.Write(tmp.File("m.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });

        using var f = new SafeTensorsFile(tmp.File("m.safetensors"));
        Assert.Equal(tensors.Keys.Order(), f.Names.Order());
        Assert.Equal("pt", f.Metadata["format"]);
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(t.DType, f.Info(name).DType);
            Assert.Equal(t.Shape, f.Info(name).Shape);
            Assert.Equal(t.Bytes, f.Raw(name).ToArray());
        }
        Assert.Equal([1f, -2f, 3.5f, 0f, float.MaxValue, -0f], f.ReadF32("w.f32"));
        Assert.Equal([1.5f, -0.25f, (float)Half.Epsilon], f.ReadF32("w.f16"));
        Assert.Equal([1f, -3f], f.ReadF32("w.bf16"));
        Assert.Equal([0.5f, -1e10f], f.ReadF32("w.f64"));
        Assert.Empty(f.ReadF32("empty"));
        Assert.Equal([42f], f.ReadF32("scalar"));
    }

    [Fact]
    public void Header_is_space_padded_so_data_starts_8_byte_aligned()
    {
        using var tmp = new TempDir();
        SafeTensorsWriter.Write(tmp.File("m.safetensors"), Sample());
        var bytes = File.ReadAllBytes(tmp.File("m.safetensors"));
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        Assert.Equal((byte)'{', bytes[8]);
        Assert.Equal((byte)'}', bytes[8..(8 + (int)n)].Last(b => b != (byte)' '));
        Assert.Equal(8 + (long)n + Sample().Values.Sum(t => t.Bytes.Length), bytes.Length);
    }

    [Fact]
    public void Overwrite_is_atomic_and_leaves_no_temp_files()
    {
        using var tmp = new TempDir();
        string path = tmp.File("m.safetensors");
        SafeTensorsWriter.Write(path, Sample());
        SafeTensorsWriter.Write(path, new Dictionary<string, TensorData> { ["x"] = TensorData.F32([1], [9f]) });
        Assert.Equal([path], Directory.GetFiles(tmp.Path));
        using var f = new SafeTensorsFile(path);
        Assert.Equal(["x"], f.Names);
    }

    [Fact]
    public void Writer_rejects_bytes_that_do_not_match_the_shape()
    {
        using var tmp = new TempDir();
        var e = Assert.Throws<LayerSteerException>(() => SafeTensorsWriter.Write(tmp.File("m.safetensors"),
            new Dictionary<string, TensorData> { ["bad"] = new(DType.F32, [3], new byte[8]) }));
        Assert.Contains("m.safetensors", e.Message);
        Assert.Contains("needs 12 bytes", e.Message);
        Assert.Empty(Directory.GetFiles(tmp.Path));
    }

    [Fact]
    public void Integer_tensor_as_fp32_is_a_clear_error_and_unknown_names_too()
    {
        using var tmp = new TempDir();
        SafeTensorsWriter.Write(tmp.File("m.safetensors"), Sample());
        using var f = new SafeTensorsFile(tmp.File("m.safetensors"));
        var e = Assert.Throws<LayerSteerException>(() => f.ReadF32("ids"));
        Assert.Contains("m.safetensors", e.Message);
        Assert.Contains("I64", e.Message);
        Assert.Contains("no tensor named \"nope\"", Assert.Throws<LayerSteerException>(() => f.Info("nope")).Message);
    }
}
