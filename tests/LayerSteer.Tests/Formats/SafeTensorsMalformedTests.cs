using LayerSteer.Formats;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Formats;

public class SafeTensorsMalformedTests
{
    static void AssertRejected(string path, string problem)
    {
        var e = Assert.Throws<LayerSteerException>(() => new SafeTensorsFile(path).Dispose());
        Assert.Contains(Path.GetFileName(path), e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Theory]
    [InlineData("[1, 2]", 0, "must be a JSON object")]
    [InlineData("{\"a\": ", 0, "not valid JSON")]
    [InlineData("{\"a\": {\"dtype\": \"F8\", \"shape\": [1], \"data_offsets\": [0, 1]}}", 1, "unknown dtype \"F8\"")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4, "non-negative integers")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}", 4, "non-negative integers")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}}", 4, "begin after end")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 8]}}", 4, "past the data section")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8, "needs 12 bytes but data_offsets span 8")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1073741824, 1073741824, 1073741824], \"data_offsets\": [0, 8]}}", 8, "impossibly large")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8, "overlap")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4, "missing array \"data_offsets\"")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4, 8]}}", 8, "must have 2 elements")]
    [InlineData("{\"__metadata__\": {\"format\": 1}}", 0, "must be a string")]
    [InlineData("{\"__metadata__\": [\"pt\"]}", 0, "object of strings")]
    [InlineData("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4, "twice")]
    public void Bad_header_is_rejected_with_file_and_problem(string header, int dataBytes, string problem)
    {
        using var tmp = new TempDir();
        AssertRejected(SafeTensorsFiles.Raw(tmp.File("bad.safetensors"), header, dataBytes), problem);
    }

    [Fact]
    public void File_shorter_than_8_bytes()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.File("short.safetensors"), [1, 2, 3, 4, 5]);
        AssertRejected(tmp.File("short.safetensors"), "shorter than the 8-byte");
    }

    [Fact]
    public void Header_length_of_2_pow_60_is_rejected_without_allocating()
    {
        using var tmp = new TempDir();
        AssertRejected(SafeTensorsFiles.Raw(tmp.File("huge.safetensors"), "{}"u8.ToArray(), 0, claimedHeaderLength: 1UL << 60), "header length 1152921504606846976 is impossible");
    }

    [Fact]
    public void Header_length_past_the_end_of_the_file()
    {
        using var tmp = new TempDir();
        AssertRejected(SafeTensorsFiles.Raw(tmp.File("cut.safetensors"), "{}"u8.ToArray(), 0, claimedHeaderLength: 100), "header length 100 is impossible");
    }

    [Fact]
    public void Header_that_is_not_utf8()
    {
        using var tmp = new TempDir();
        AssertRejected(SafeTensorsFiles.Raw(tmp.File("latin1.safetensors"), [(byte)'{', (byte)'"', 0xE9, (byte)'"', (byte)':', (byte)'1', (byte)'}'], 0), "not valid UTF-8");
    }

    [Fact]
    public void Missing_file()
    {
        using var tmp = new TempDir();
        AssertRejected(tmp.File("absent.safetensors"), "file not found");
    }

    [Fact]
    public void Zero_sized_tensors_are_valid()
    {
        using var tmp = new TempDir();
        string path = SafeTensorsFiles.Raw(tmp.File("zero.safetensors"), "{\"a\": {\"dtype\": \"BF16\", \"shape\": [3, 0], \"data_offsets\": [0, 0]}}", 0);
        using var f = new SafeTensorsFile(path);
        Assert.Empty(f.ReadF32("a"));
    }
}
