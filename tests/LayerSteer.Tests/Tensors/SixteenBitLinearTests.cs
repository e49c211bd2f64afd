using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LayerSteer.Formats;
using LayerSteer.Models;
using LayerSteer.Tensors;
using LayerSteer.Tests.Support;
using LayerSteer.Verification;

namespace LayerSteer.Tests.Tensors;

/// <summary>Weights computed in place from a mapped file: the 16-bit GEMV (every kernel), the panel GEMM, and whole models kept 16-bit.</summary>
public class SixteenBitLinearTests
{
    static float[] Rand(Random r, int n) => Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();

    /// <summary>Random weights rounded to the dtype, as the file's bits.</summary>
    static ushort[] Bits(DType t, float[] w) => t == DType.BF16
        ? w.Select(v => (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16)).ToArray()
        : w.Select(v => BitConverter.HalfToUInt16Bits((Half)v)).ToArray();

    static float[] Widened(DType t, ushort[] bits)
    {
        var f = new float[bits.Length];
        F32Conversion.Convert(t, MemoryMarshal.AsBytes(bits.AsSpan()), f);
        return f;
    }

    /// <summary>Asserts y ≈ x·Wᵀ to 1e-5 of Σ|x||w| per element (float rounding in another summation order), against float64.</summary>
    static void AssertProduct(float[] w, float[] x, float[] y, int rows, int inDim, int outDim, string what)
    {
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < outDim; o++)
            {
                double s = 0, mag = 0;
                for (int k = 0; k < inDim; k++) { s += (double)x[r * inDim + k] * w[o * inDim + k]; mag += Math.Abs((double)x[r * inDim + k] * w[o * inDim + k]); }
                double err = Math.Abs(y[r * outDim + o] - s);
                Assert.True(err <= 1e-5 * mag + 1e-30, $"{what}: y[{r}, {o}] = {y[r * outDim + o]}, expected {s} (error {err}, scale {mag})");
            }
    }

    public static TheoryData<DType, Gemv16.Kernel> Kernels => new()
    {
        { DType.BF16, Gemv16.Kernel.Scalar }, { DType.BF16, Gemv16.Kernel.Vector256 }, { DType.BF16, Gemv16.Kernel.Vector512 },
        { DType.F16, Gemv16.Kernel.Scalar }, { DType.F16, Gemv16.Kernel.Vector256 }, { DType.F16, Gemv16.Kernel.Vector512 },
    };

    [Theory]
    [MemberData(nameof(Kernels))]
    public void GemvMatchesTheProductOnOddShapes(DType dtype, Gemv16.Kernel kernel)
    {
        var rng = new Random(7);
        // Widths below, at and past one vector block and with tails; the last shape is large enough to split across threads.
        foreach (var (inDim, outDim) in new[] { (1, 3), (15, 7), (16, 1), (33, 5), (64, 9), (95, 17), (130, 33), (301, 300) })
            for (int rows = 1; rows <= Gemv16.MaxRows; rows++)
            {
                var bits = Bits(dtype, Rand(rng, inDim * outDim));
                var x = Rand(rng, rows * inDim);
                var y = new float[rows * outDim];
                Gemv16.Multiply(dtype, bits, x, y, rows, inDim, outDim, kernel);
                AssertProduct(Widened(dtype, bits), x, y, rows, inDim, outDim, $"{dtype} {kernel} {rows}×{inDim}→{outDim}");
            }
    }

    [Theory]
    [InlineData(DType.BF16)]
    [InlineData(DType.F16)]
    public void SkinnyGemmMatchesTheProductForwardAndBackwardOnOddShapes(DType dtype)
    {
        var rng = new Random(11);
        // Widths with and without the 8-value and 32-column tails, outputs past the 4-row tiles and the 16-row panels, row counts
        // past the 3- and 6-row tiles; (1100, 260) splits across threads and, past MaxRows, into two depth blocks of 550 columns
        // (an 8-column tail each); 200 rows are two row blocks.
        foreach (var (inDim, outDim) in new[] { (1, 1), (7, 5), (8, 4), (33, 7), (64, 66), (95, 130), (1100, 260) })
            foreach (int rows in new[] { 1, 2, 3, 5, 7, 13, SkinnyGemm16.MaxRows, SkinnyGemm16.MaxRows + 1, 200 })
            {
                var bits = Bits(dtype, Rand(rng, inDim * outDim));
                var w = Widened(dtype, bits);
                var x = Rand(rng, rows * inDim);
                var y = new float[rows * outDim];
                SkinnyGemm16.Forward(dtype, bits, x, y, rows, inDim, outDim);
                AssertProduct(w, x, y, rows, inDim, outDim, $"{dtype} forward {rows}×{inDim}→{outDim}");

                // dx += dy·W from zero, checked as the product of dy with Wᵀ (the same assertion on the transposed problem);
                // a second call adds the same product again.
                var dy = Rand(rng, rows * outDim);
                var dx = new float[rows * inDim];
                SkinnyGemm16.Backward(dtype, bits, dy, dx, rows, inDim, outDim);
                var wt = new float[w.Length];
                for (int o = 0; o < outDim; o++) for (int k = 0; k < inDim; k++) wt[k * outDim + o] = w[o * inDim + k];
                AssertProduct(wt, dy, dx, rows, outDim, inDim, $"{dtype} backward {rows}×{outDim}→{inDim}");
                var once = (float[])dx.Clone();
                SkinnyGemm16.Backward(dtype, bits, dy, dx, rows, inDim, outDim);
                for (int i = 0; i < dx.Length; i++)
                    Assert.True(Math.Abs(dx[i] - 2 * once[i]) <= 1e-5f * (1 + Math.Abs(once[i])), $"{dtype} backward {rows}×{outDim}→{inDim}: second call gave dx[{i}] = {dx[i]}, expected {2 * once[i]}");
            }
    }

    [Theory]
    [InlineData(10)]    // W widened in registers
    [InlineData(130)]   // W packed into fp32 panels: three depth blocks, 130 rows past the 128-row block
    public void SkinnyGemmGivesTheSameBitsOnOneThreadAndOnAll(int rows)
    {
        const int inDim = 2048 + 8, outDim = 600;
        var rng = new Random(5);
        var bits = Bits(DType.BF16, Rand(rng, inDim * outDim));
        var x = Rand(rng, rows * inDim);
        var dy = Rand(rng, rows * outDim);
        (float[] Y, float[] Dx) Run(int threads)
        {
            var y = new float[rows * outDim]; var dx = new float[rows * inDim];
            SkinnyGemm16.Forward(DType.BF16, bits, x, y, rows, inDim, outDim, threads);
            if (rows <= SkinnyGemm16.MaxRows) SkinnyGemm16.Backward(DType.BF16, bits, dy, dx, rows, inDim, outDim, threads);
            return (y, dx);
        }
        var all = Run(Environment.ProcessorCount + 1);   // more parts than cores, so the split differs from one thread's
        var one = Run(1);
        Assert.Equal(all.Y, one.Y);
        Assert.Equal(all.Dx, one.Dx);
    }

    [Fact]
    public void VectorWideningOfEveryHalfIsExact()
    {
        // All 65,536 bit patterns as pairs in 32-bit lanes: even elements low, odd ones high.
        var pairs = Enumerable.Range(0, 32768).Select(i => (uint)(2 * i) | (uint)(2 * i + 1) << 16).ToArray();
        for (int i = 0; i < pairs.Length; i += 16)
        {
            var v512 = Vector512.Create(pairs.AsSpan(i, 16));
            Gemv16.F16.Widen(v512, out var even, out var odd);
            Gemv16.F16.Widen(v512.GetLower(), out var even256, out var odd256);
            for (int j = 0; j < 16; j++)
            {
                uint p = pairs[i + j];
                Same((ushort)p, even[j]); Same((ushort)(p >> 16), odd[j]);
                if (j < 8) { Same((ushort)p, even256[j]); Same((ushort)(p >> 16), odd256[j]); }
            }
        }
        static void Same(ushort h, float got)
        {
            float want = (float)BitConverter.UInt16BitsToHalf(h);
            if (float.IsNaN(want)) Assert.True(float.IsNaN(got), $"half 0x{h:X4} is NaN, widened to {got}");
            else Assert.True(BitConverter.SingleToUInt32Bits(want) == BitConverter.SingleToUInt32Bits(got), $"half 0x{h:X4}: {want} expected, got {got}");
        }
    }

    /// <summary>One [outDim, inDim] weight written to a safetensors file in <paramref name="dtype"/>, with its values as stored.</summary>
    static (SafeTensorsFile File, float[] Stored) Mapped(TempDir dir, DType dtype, int outDim, int inDim, Random rng)
    {
        var w = Rand(rng, outDim * inDim);
        byte[] bytes = dtype == DType.F32 ? MemoryMarshal.AsBytes(w.AsSpan()).ToArray() : MemoryMarshal.AsBytes(Bits(dtype, w).AsSpan()).ToArray();
        string path = dir.File($"{dtype}.safetensors");
        SafeTensorsWriter.Write(path, new Dictionary<string, TensorData> { ["w"] = new(dtype, [outDim, inDim], bytes) });
        var file = new SafeTensorsFile(path);
        return (file, file.ReadF32("w"));
    }

    [Theory]
    [InlineData(DType.BF16)]
    [InlineData(DType.F16)]
    [InlineData(DType.F32)]
    public void MappedLinearMatchesTheFp32CopyForwardBackwardAndRows(DType dtype)
    {
        // 4099 inputs: 48-row panels, so 100 outputs are two full panels and a partial one.
        const int inDim = 4099, outDim = 100;
        var rng = new Random(3);
        using var dir = new TempDir();
        var (file, stored) = Mapped(dir, dtype, outDim, inDim, rng);
        using (file)
        {
            var mapped = new Linear(file.Map("w"), outDim, inDim);
            Assert.True(mapped.IsMapped);
            Assert.Equal(dtype, mapped.StorageDType);
            Assert.Equal(stored, mapped.WeightF32());
            var row = new float[inDim];
            mapped.ReadRow(57, row);
            Assert.Equal(stored.AsSpan(57 * inDim, inDim).ToArray(), row);
            // GEMV, skinny GEMM, skinny forward in row blocks with a panel backward
            foreach (int rows in new[] { 1, 3, 4, 5, 9, SkinnyGemm16.MaxRows, SkinnyGemm16.MaxRows + 1, 200 })
            {
                var x = Rand(rng, rows * inDim);
                var y = new float[rows * outDim];
                mapped.Forward(x, y, rows);
                AssertProduct(stored, x, y, rows, inDim, outDim, $"{dtype} forward, {rows} rows");

                var dy = Rand(rng, rows * outDim);
                var dx = Rand(rng, rows * inDim);
                var expected = (float[])dx.Clone();
                Gemm.Sgemm(false, false, rows, inDim, outDim, 1f, dy, outDim, stored, inDim, 1f, expected, inDim);
                mapped.Backward(dy, x, dx, rows);
                for (int i = 0; i < dx.Length; i++)
                    Assert.True(Math.Abs(dx[i] - expected[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"{dtype} backward, {rows} rows, dx[{i}] = {dx[i]}, expected {expected[i]}");
            }
        }
    }

    [Fact]
    public void ReadingAfterTheSourceIsDisposedThrowsInsteadOfTouchingUnmappedMemory()
    {
        using var dir = new TempDir();
        var (file, _) = Mapped(dir, DType.BF16, 8, 16, new Random(1));
        var lin = new Linear(file.Map("w"), 8, 16);
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => lin.Forward(new float[16], new float[8], 1));
        Assert.Throws<ObjectDisposedException>(() => lin.ReadRow(0, new float[16]));
    }

    public static TheoryData<string> SixteenBitFixtures => new() { "qwen2-tiny", "qwen3-tiny", "llama3-rope-tiny", "phi3-tiny" };

    [SharedTheory]
    [MemberData(nameof(SixteenBitFixtures))]
    public void FixturesKept16BitPassParityInPlace(string name)
    {
        using var model = ModelLoader.Load(Shared.Fixture(name), keep16Bit: true);
        Assert.True(((Linear)model.Layers[0].Q).IsMapped && model.Embedding.IsMapped, "16-bit weights should be mapped in place");
        Assert.Contains("in place", model.StorageDType);
        var h = ModelLoader.Inspect(Shared.Fixture(name), keep16Bit: true);   // headers only, as `info` reads them
        Assert.Equal((model.StorageDType, model.ParameterCount, model.Fingerprint), (h.StorageDType, h.ParameterCount, h.Fingerprint));
        var (_, cases) = ParityFixture.Load(Shared.Path("fixtures", name, "fixture.json"));
        foreach (var r in ParityCheck.Run(model, cases, GradientCheck.Compute))
        {
            Assert.True(r.LogitsMaxAbs < 1e-4, $"{name} case {r.Case}: logits off by {r.LogitsMaxAbs}");
            Assert.True(r.IntervenedMaxAbs < 1e-4, $"{name} case {r.Case}: intervened logits off by {r.IntervenedMaxAbs}");
            Assert.True(r.GradMaxRel < 1e-4, $"{name} case {r.Case}: gradient off by {r.GradMaxRel} (relative)");
        }
    }

    [SharedFact]
    public void DecodeStepsOn16BitWeightsMatchFp32()
    {
        using var bf16 = ModelLoader.Load(Shared.Fixture("qwen2-tiny"), keep16Bit: true);
        using var fp32 = ModelLoader.Load(Shared.Fixture("qwen2-tiny"));   // small: converted by default
        Assert.False(((Linear)fp32.Layers[0].Q).IsMapped);
        Assert.Contains("converted to F32", fp32.StorageDType);
        Assert.Equal(fp32.StorageDType, ModelLoader.Inspect(Shared.Fixture("qwen2-tiny")).StorageDType);
        int[] ids = [3, 14, 15, 9, 26, 5];
        KvCache a = bf16.NewCache(), b = fp32.NewCache();
        foreach (int t in ids)
        {
            var ya = bf16.Forward([[t]], [a]);
            var yb = fp32.Forward([[t]], [b]);
            for (int j = 0; j < ya.Length; j++) Assert.True(Math.Abs(ya[j] - yb[j]) <= 1e-4f, $"token {t}, logit {j}: {ya[j]} vs {yb[j]}");
        }
    }

    /// <summary>A source whose tensor data cannot be read: only names, dtypes and shapes.</summary>
    sealed class HeadersOnly(IWeightSource inner) : IWeightSource
    {
        public string Path => inner.Path;
        public IReadOnlyCollection<string> Names => inner.Names;
        public bool Contains(string name) => inner.Contains(name);
        public TensorInfo Info(string name) => inner.Info(name);
        public float[] ReadF32(string name) => throw new InvalidOperationException($"read {name}");
        public ReadOnlySpan<byte> Raw(string name) => throw new InvalidOperationException($"read {name}");
        public MappedTensor? Map(string name) => inner.Map(name);   // a handle only: nothing is read until a lease
        public void Dispose() => inner.Dispose();
    }

    [SharedFact]
    public void InspectReadsNoWeightAndAgreesWithTheLoadedModel()
    {
        string dir = Shared.Fixture("qwen3-tiny");
        var config = ModelConfig.Load(Path.Combine(dir, "config.json"));
        using var headersOnly = new HeadersOnly(WeightSources.Open(dir));
        var h = ModelLoader.Inspect(config, headersOnly, keep16Bit: true);
        Assert.Throws<InvalidOperationException>(() => ModelLoader.Build(config, headersOnly, dir, keep16Bit: true));   // building reads (norms)
        using var model = ModelLoader.Load(dir, keep16Bit: true);
        Assert.Equal((model.StorageDType, model.ParameterCount, model.Fingerprint), (h.StorageDType, h.ParameterCount, h.Fingerprint));
        Assert.Equal("BF16 (16-bit, computed in place from the mapped file)", h.StorageDType);
    }
}
