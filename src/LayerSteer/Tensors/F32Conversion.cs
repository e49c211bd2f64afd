using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace LayerSteer.Tensors;

/// <summary>Widening of stored floating-point dtypes (F32, F16, BF16, F64) to fp32, vectorised where it matters.</summary>
public static class F32Conversion
{
    public static bool Supports(DType t) => t is DType.F32 or DType.F16 or DType.BF16 or DType.F64;

    /// <summary>Converts little-endian <paramref name="raw"/> of dtype <paramref name="t"/> into <paramref name="dst"/>.</summary>
    public static void Convert(DType t, ReadOnlySpan<byte> raw, Span<float> dst)
    {
        switch (t)
        {
            case DType.F32: MemoryMarshal.Cast<byte, float>(raw).CopyTo(dst); break;
            case DType.F16: TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(raw), dst); break;
            case DType.BF16: Bf16ToF32(MemoryMarshal.Cast<byte, ushort>(raw), dst); break;
            case DType.F64:
                var src = MemoryMarshal.Cast<byte, double>(raw);
                for (int i = 0; i < src.Length; i++) dst[i] = (float)src[i];
                break;
            default: throw new ArgumentException($"{DTypes.Name(t)} does not convert to fp32", nameof(t));
        }
    }

    /// <summary>BF16 is the top half of an fp32, so widening is a 16-bit left shift (exact, including NaN payloads and subnormals).</summary>
    public static void Bf16ToF32(ReadOnlySpan<ushort> src, Span<float> dst)
    {
        if (dst.Length < src.Length) throw new ArgumentException("destination too short", nameof(dst));
        var bits = MemoryMarshal.Cast<float, uint>(dst);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= src.Length - Vector<ushort>.Count; i += Vector<ushort>.Count)
            {
                Vector.Widen(new Vector<ushort>(src[i..]), out var lo, out var hi);
                (lo << 16).CopyTo(bits[i..]);
                (hi << 16).CopyTo(bits[(i + Vector<uint>.Count)..]);
            }
        }
        for (; i < src.Length; i++) bits[i] = (uint)src[i] << 16;
    }
}
