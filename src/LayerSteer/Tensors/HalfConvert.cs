using LayerSteer.Formats;

namespace LayerSteer.Tensors;

/// <summary>16-bit float (IEEE half, bfloat16) → fp32 conversion, exact for every bit pattern.</summary>
public static class HalfConvert
{
    public static void ToSingle(ReadOnlySpan<ushort> src, DType dtype, Span<float> dst)
    {
        if (dtype == DType.BF16)
            // bfloat16 is the high half of an fp32: shifting the bits back is exact (NaN payloads included).
            for (int i = 0; i < src.Length; i++) dst[i] = BitConverter.Int32BitsToSingle(src[i] << 16);
        else if (dtype == DType.F16)
            for (int i = 0; i < src.Length; i++) dst[i] = (float)BitConverter.UInt16BitsToHalf(src[i]);
        else throw new ArgumentException($"{dtype} is not a 16-bit float type");
    }
}
