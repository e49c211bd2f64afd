using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LayerSteer.Tensors;

/// <summary>y[rows, Out] = x[rows, In]·Wᵀ for the few rows of a decode step, W [Out, In] stored BF16 or F16: every weight is read
/// once and widened to fp32 in registers, nothing is converted to memory. Decode is memory-bound, so halving the bytes per
/// weight (against fp32 copies) is what sets its speed.</summary>
public static unsafe class Gemv16
{
    /// <summary>Up to this many rows go through the GEMV; more reuse each weight often enough for a GEMM (<see cref="PanelGemm"/>).</summary>
    public const int MaxRows = 4;

    /// <summary>Which code runs: the widest vectors the hardware accelerates, or one chosen by a test.</summary>
    public enum Kernel { Scalar, Vector256, Vector512 }

    public static Kernel Best { get; } = Vector512.IsHardwareAccelerated ? Kernel.Vector512
        : Vector256.IsHardwareAccelerated ? Kernel.Vector256 : Kernel.Scalar;

    // Below this many weights a product stays on the calling thread (the hand-off costs more than it saves).
    const long ParallelWeights = 1L << 16;

    // x reordered so that each block of 2·lanes values holds its even-indexed elements, then its odd ones: one 32-bit load of
    // W then yields the even weights (low halves) and the odd weights (high halves) with a shift or a mask, no shuffles.
    [ThreadStatic] static float[]? _xs;

    public static void Multiply(DType dtype, ReadOnlySpan<ushort> w, ReadOnlySpan<float> x, Span<float> y, int rows, int inDim, int outDim) =>
        Multiply(dtype, w, x, y, rows, inDim, outDim, Best);

    public static void Multiply(DType dtype, ReadOnlySpan<ushort> w, ReadOnlySpan<float> x, Span<float> y, int rows, int inDim, int outDim, Kernel kernel)
    {
        if (rows < 1 || rows > MaxRows) throw new ArgumentOutOfRangeException(nameof(rows), $"the GEMV takes 1..{MaxRows} rows, got {rows}");
        if (w.Length < (long)outDim * inDim || x.Length < rows * inDim || y.Length < rows * outDim) throw new ArgumentException("a buffer is shorter than its shape");
        if (dtype == DType.BF16) Run<Bf16>(w, x, y, rows, inDim, outDim, kernel);
        else if (dtype == DType.F16) Run<F16>(w, x, y, rows, inDim, outDim, kernel);
        else throw new ArgumentException($"the 16-bit GEMV takes BF16 or F16 weights, not {DTypes.Name(dtype)}", nameof(dtype));
    }

    static void Run<TW>(ReadOnlySpan<ushort> w, ReadOnlySpan<float> x, Span<float> y, int rows, int inDim, int outDim, Kernel kernel) where TW : IWiden
    {
        int block = kernel switch { Kernel.Vector512 => 32, Kernel.Vector256 => 16, _ => 0 };
        int blocks = block == 0 ? 0 : inDim / block;
        var xs = _xs is { } b && b.Length >= rows * inDim ? b : _xs = new float[Math.Max(rows * inDim, 4096)];
        for (int r = 0; r < rows; r++) Deinterleave(x.Slice(r * inDim, inDim), xs.AsSpan(r * inDim, inDim), block);
        fixed (ushort* pw = w) fixed (float* px = xs) fixed (float* py = y)
        {
            ushort* W = pw; float* X = px, Y = py;
            void Outputs(int from, int to)
            {
                for (int o = from; o < to; o++)
                {
                    ushort* wo = W + (long)o * inDim;
                    for (int r = 0; r < rows; r += 2)
                    {
                        float* xa = X + (long)r * inDim;
                        if (r + 1 < rows)
                        {
                            float* xb = xa + inDim;
                            var (ya, yb) = kernel switch
                            {
                                Kernel.Vector512 => Dot2x512<TW>((uint*)wo, xa, xb, blocks),
                                Kernel.Vector256 => Dot2x256<TW>((uint*)wo, xa, xb, blocks),
                                _ => (0f, 0f),
                            };
                            Y[(long)r * outDim + o] = ya + Tail<TW>(wo, xa, blocks * block, inDim);
                            Y[(long)(r + 1) * outDim + o] = yb + Tail<TW>(wo, xb, blocks * block, inDim);
                        }
                        else
                        {
                            float ya = kernel switch
                            {
                                Kernel.Vector512 => Dot1x512<TW>((uint*)wo, xa, blocks),
                                Kernel.Vector256 => Dot1x256<TW>((uint*)wo, xa, blocks),
                                _ => 0f,
                            };
                            Y[(long)r * outDim + o] = ya + Tail<TW>(wo, xa, blocks * block, inDim);
                        }
                    }
                }
            }
            int chunks = (long)outDim * inDim < ParallelWeights ? 1 : Math.Min(Environment.ProcessorCount, outDim);
            if (chunks == 1) Outputs(0, outDim);
            else Parallel.For(0, chunks, c => Outputs((int)((long)outDim * c / chunks), (int)((long)outDim * (c + 1) / chunks)));
        }
    }

    /// <summary>Each full block of <paramref name="block"/> elements as its even elements then its odd ones; the tail as is.</summary>
    static void Deinterleave(ReadOnlySpan<float> x, Span<float> xs, int block)
    {
        int full = block == 0 ? 0 : x.Length / block * block, half = block / 2;
        for (int b0 = 0; b0 < full; b0 += block)
            for (int i = 0; i < half; i++) { xs[b0 + i] = x[b0 + 2 * i]; xs[b0 + half + i] = x[b0 + 2 * i + 1]; }
        x[full..].CopyTo(xs[full..]);
    }

    // Elements [from, to) one at a time: the scalar kernel, and the tail after the vector blocks.
    static float Tail<TW>(ushort* w, float* x, int from, int to) where TW : IWiden
    {
        float acc = 0;
        for (int k = from; k < to; k++) acc += TW.Widen(w[k]) * x[k];
        return acc;
    }

    static float Dot1x256<TW>(uint* w, float* x, int blocks) where TW : IWiden
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int b = 0;
        for (; b + 2 <= blocks; b += 2, w += 16, x += 32)
        {
            TW.Widen(Vector256.Load(w), out var e0, out var o0);
            TW.Widen(Vector256.Load(w + 8), out var e1, out var o1);
            a0 = Vector256.FusedMultiplyAdd(e0, Vector256.Load(x), a0);
            a1 = Vector256.FusedMultiplyAdd(o0, Vector256.Load(x + 8), a1);
            a2 = Vector256.FusedMultiplyAdd(e1, Vector256.Load(x + 16), a2);
            a3 = Vector256.FusedMultiplyAdd(o1, Vector256.Load(x + 24), a3);
        }
        if (b < blocks)
        {
            TW.Widen(Vector256.Load(w), out var e, out var o);
            a0 = Vector256.FusedMultiplyAdd(e, Vector256.Load(x), a0);
            a1 = Vector256.FusedMultiplyAdd(o, Vector256.Load(x + 8), a1);
        }
        return Vector256.Sum((a0 + a1) + (a2 + a3));
    }

    static (float, float) Dot2x256<TW>(uint* w, float* xa, float* xb, int blocks) where TW : IWiden
    {
        Vector256<float> a0 = default, a1 = default, b0 = default, b1 = default;
        for (int b = 0; b < blocks; b++, w += 8, xa += 16, xb += 16)
        {
            TW.Widen(Vector256.Load(w), out var e, out var o);
            a0 = Vector256.FusedMultiplyAdd(e, Vector256.Load(xa), a0);
            a1 = Vector256.FusedMultiplyAdd(o, Vector256.Load(xa + 8), a1);
            b0 = Vector256.FusedMultiplyAdd(e, Vector256.Load(xb), b0);
            b1 = Vector256.FusedMultiplyAdd(o, Vector256.Load(xb + 8), b1);
        }
        return (Vector256.Sum(a0 + a1), Vector256.Sum(b0 + b1));
    }

    static float Dot1x512<TW>(uint* w, float* x, int blocks) where TW : IWiden
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int b = 0;
        for (; b + 2 <= blocks; b += 2, w += 32, x += 64)
        {
            TW.Widen(Vector512.Load(w), out var e0, out var o0);
            TW.Widen(Vector512.Load(w + 16), out var e1, out var o1);
            a0 = Vector512.FusedMultiplyAdd(e0, Vector512.Load(x), a0);
            a1 = Vector512.FusedMultiplyAdd(o0, Vector512.Load(x + 16), a1);
            a2 = Vector512.FusedMultiplyAdd(e1, Vector512.Load(x + 32), a2);
            a3 = Vector512.FusedMultiplyAdd(o1, Vector512.Load(x + 48), a3);
        }
        if (b < blocks)
        {
            TW.Widen(Vector512.Load(w), out var e, out var o);
            a0 = Vector512.FusedMultiplyAdd(e, Vector512.Load(x), a0);
            a1 = Vector512.FusedMultiplyAdd(o, Vector512.Load(x + 16), a1);
        }
        return Vector512.Sum((a0 + a1) + (a2 + a3));
    }

    static (float, float) Dot2x512<TW>(uint* w, float* xa, float* xb, int blocks) where TW : IWiden
    {
        Vector512<float> a0 = default, a1 = default, b0 = default, b1 = default;
        for (int b = 0; b < blocks; b++, w += 16, xa += 32, xb += 32)
        {
            TW.Widen(Vector512.Load(w), out var e, out var o);
            a0 = Vector512.FusedMultiplyAdd(e, Vector512.Load(xa), a0);
            a1 = Vector512.FusedMultiplyAdd(o, Vector512.Load(xa + 16), a1);
            b0 = Vector512.FusedMultiplyAdd(e, Vector512.Load(xb), b0);
            b1 = Vector512.FusedMultiplyAdd(o, Vector512.Load(xb + 16), b1);
        }
        return (Vector512.Sum(a0 + a1), Vector512.Sum(b0 + b1));
    }

    /// <summary>Widens a 16-bit float format to fp32: one element, or the even (low halves) and odd (high halves) elements of a
    /// vector of 32-bit pairs. Generic methods over these structs compile to one specialised kernel per format.</summary>
    internal interface IWiden
    {
        static abstract float Widen(ushort h);
        static abstract void Widen(Vector256<uint> pairs, out Vector256<float> even, out Vector256<float> odd);
        static abstract void Widen(Vector512<uint> pairs, out Vector512<float> even, out Vector512<float> odd);
    }

    /// <summary>BF16 is the top half of an fp32: widening is a shift (or a mask for the high halves), exact.</summary>
    internal readonly struct Bf16 : IWiden
    {
        public static float Widen(ushort h) => BitConverter.UInt32BitsToSingle((uint)h << 16);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Widen(Vector256<uint> pairs, out Vector256<float> even, out Vector256<float> odd)
        {
            even = (pairs << 16).AsSingle();
            odd = (pairs & Vector256.Create(0xFFFF0000u)).AsSingle();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Widen(Vector512<uint> pairs, out Vector512<float> even, out Vector512<float> odd)
        {
            even = (pairs << 16).AsSingle();
            odd = (pairs & Vector512.Create(0xFFFF0000u)).AsSingle();
        }
    }

    /// <summary>IEEE half → fp32, exact for every input: the exponent and mantissa bits shifted into place and scaled by 2^112
    /// (which also normalises subnormals), infinities and NaNs given the fp32 all-ones exponent, then the sign.</summary>
    internal readonly struct F16 : IWiden
    {
        static readonly float Rebias = BitConverter.UInt32BitsToSingle(0x77800000);   // 2^112 = 2^(127 − 15)
        const float InfNan = 65536f;   // what 2^112 scaling makes of the smallest half with an all-ones exponent

        public static float Widen(ushort h) => (float)BitConverter.UInt16BitsToHalf(h);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Widen(Vector256<uint> pairs, out Vector256<float> even, out Vector256<float> odd)
        {
            even = ToSingle(pairs & Vector256.Create(0xFFFFu));
            odd = ToSingle(pairs >>> 16);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Widen(Vector512<uint> pairs, out Vector512<float> even, out Vector512<float> odd)
        {
            even = ToSingle(pairs & Vector512.Create(0xFFFFu));
            odd = ToSingle(pairs >>> 16);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<float> ToSingle(Vector256<uint> h)
        {
            var f = ((h & Vector256.Create(0x7FFFu)) << 13).AsSingle() * Vector256.Create(Rebias);
            var infNan = Vector256.GreaterThanOrEqual(f, Vector256.Create(InfNan)).AsUInt32() & Vector256.Create(0x7F800000u);
            return (f.AsUInt32() | infNan | ((h & Vector256.Create(0x8000u)) << 16)).AsSingle();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector512<float> ToSingle(Vector512<uint> h)
        {
            var f = ((h & Vector512.Create(0x7FFFu)) << 13).AsSingle() * Vector512.Create(Rebias);
            var infNan = Vector512.GreaterThanOrEqual(f, Vector512.Create(InfNan)).AsUInt32() & Vector512.Create(0x7F800000u);
            return (f.AsUInt32() | infNan | ((h & Vector512.Create(0x8000u)) << 16)).AsSingle();
        }
    }
}
