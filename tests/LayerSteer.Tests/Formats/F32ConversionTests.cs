using LayerSteer.Formats;
using LayerSteer.Tensors;

namespace LayerSteer.Tests.Formats;

public class F32ConversionTests
{
    static ushort[] AllPatterns(int extra) => Enumerable.Range(0, 65536 + extra).Select(i => (ushort)i).ToArray();

    [Fact]
    public void F16_every_bit_pattern_matches_System_Half()
    {
        var bits = AllPatterns(extra: 3); // odd length exercises the scalar tail
        var dst = new float[bits.Length];
        F32Conversion.Convert(DType.F16, System.Runtime.InteropServices.MemoryMarshal.AsBytes(bits.AsSpan()), dst);
        for (int i = 0; i < bits.Length; i++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf(bits[i]);
            if (float.IsNaN(expected)) Assert.True(float.IsNaN(dst[i]), $"0x{bits[i]:X4}");
            else Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(dst[i]));
        }
    }

    [Theory]
    [InlineData(0x0001, 5.9604644775390625e-8)]   // smallest subnormal 2^-24
    [InlineData(0x03FF, 6.097555160522461e-5)]     // largest subnormal 1023·2^-24
    [InlineData(0x0400, 6.103515625e-5)]           // smallest normal 2^-14
    [InlineData(0x3C00, 1.0)]
    [InlineData(0xC000, -2.0)]
    [InlineData(0x7BFF, 65504.0)]                  // largest finite
    [InlineData(0x7C00, double.PositiveInfinity)]
    [InlineData(0xFC00, double.NegativeInfinity)]
    public void F16_known_values(int bits, double expected)
    {
        var dst = new float[1];
        F32Conversion.Convert(DType.F16, BitConverter.GetBytes((ushort)bits), dst);
        Assert.Equal((float)expected, dst[0]);
    }

    [Fact]
    public void F16_nan_and_negative_zero()
    {
        var dst = new float[2];
        F32Conversion.Convert(DType.F16, [0x00, 0x7E, 0x00, 0x80], dst);
        Assert.True(float.IsNaN(dst[0]));
        Assert.True(float.IsNegative(dst[1]) && dst[1] == 0);
    }

    /// <summary>BF16 decoded from its fields: sign, 8-bit exponent (bias 127), 7-bit mantissa.</summary>
    static double Bf16ByFields(ushort b)
    {
        int sign = b >> 15, exp = (b >> 7) & 0xFF, man = b & 0x7F;
        double mag = exp == 255 ? (man == 0 ? double.PositiveInfinity : double.NaN)
            : exp == 0 ? Math.ScaleB(man / 128.0, -126)
            : Math.ScaleB(1 + man / 128.0, exp - 127);
        return sign == 1 ? -mag : mag;
    }

    [Fact]
    public void BF16_every_bit_pattern_matches_field_decoding()
    {
        var bits = AllPatterns(extra: 5);
        var dst = new float[bits.Length];
        F32Conversion.Bf16ToF32(bits, dst);
        for (int i = 0; i < bits.Length; i++)
        {
            double expected = Bf16ByFields(bits[i]);
            if (double.IsNaN(expected)) Assert.True(float.IsNaN(dst[i]), $"0x{bits[i]:X4}");
            else Assert.True((double)dst[i] == expected && float.IsNegative(dst[i]) == double.IsNegative(expected), $"0x{bits[i]:X4}: {dst[i]} vs {expected}");
        }
    }

    [Fact]
    public void F64_rounds_to_nearest_float_and_saturates_to_infinity()
    {
        double[] src = [0.1, 1e300, -1e300, 1e-50, double.NaN, 3.0];
        var dst = new float[src.Length];
        F32Conversion.Convert(DType.F64, System.Runtime.InteropServices.MemoryMarshal.AsBytes(src.AsSpan()), dst);
        Assert.Equal(0.1f, dst[0]);
        Assert.Equal(float.PositiveInfinity, dst[1]);
        Assert.Equal(float.NegativeInfinity, dst[2]);
        Assert.Equal(0f, dst[3]);
        Assert.True(float.IsNaN(dst[4]));
        Assert.Equal(3f, dst[5]);
    }

    [Fact]
    public void Integer_dtypes_do_not_convert()
    {
        Assert.False(F32Conversion.Supports(DType.I64));
        Assert.Throws<ArgumentException>(() => F32Conversion.Convert(DType.I32, new byte[4], new float[1]));
    }
}
