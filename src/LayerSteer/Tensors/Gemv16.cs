using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

    /// <summary>How many chunks of outputs a GEMV of W [Out, In] is split into. Sixteen per core: a core that starts late (a worker
    /// waking up) or is slowed by a neighbour takes fewer, instead of the other waiting. Qwen2.5-0.5B decode on 2 EPYC cores,
    /// alternating: 14.2/14.7 tok/s against 13.4/12.9 with 4 per core (8: 13.7/13.4; 32: 13.3/13.8).</summary>
    internal static int Chunks(int inDim, int outDim) =>
        (long)outDim * inDim < ParallelWeights ? 1 : Math.Min(16 * Environment.ProcessorCount, outDim);

    // The hardware prefetcher alone keeps too few cache lines of W in flight for two cores to reach the memory bandwidth:
    // asking for the line this many bytes ahead made the GEMV 15–30% faster on an EPYC (768–1280 all within noise).
    const int PrefetchAhead = 1024;

    /// <summary>Asks for the 64-byte lines [p + PrefetchAhead, + bytes) of W; a hint only, so reading past the end is harmless.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Prefetch(void* p, int bytes)
    {
        if (!Sse.IsSupported) return;
        for (int b = 0; b < bytes; b += 64) Sse.Prefetch0((byte*)p + PrefetchAhead + b);
    }

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
        if (kernel == Kernel.Vector512) Run<TW, Lanes512, Vector512<float>>(w, x, y, rows, inDim, outDim, vectors: true);
        else Run<TW, Lanes256, Vector256<float>>(w, x, y, rows, inDim, outDim, vectors: kernel == Kernel.Vector256);
    }

    static void Run<TW, TL, TV>(ReadOnlySpan<ushort> w, ReadOnlySpan<float> x, Span<float> y, int rows, int inDim, int outDim, bool vectors)
        where TW : IWiden where TL : ILanes<TV> where TV : struct
    {
        int block = vectors ? 2 * TL.Floats : 0;
        int blocks = vectors ? inDim / block : 0, tail = blocks * block;
        var xs = _xs is { } b && b.Length >= rows * inDim ? b : _xs = new float[Math.Max(rows * inDim, 4096)];
        for (int r = 0; r < rows; r++) Deinterleave(x.Slice(r * inDim, inDim), xs.AsSpan(r * inDim, inDim), block);
        fixed (ushort* pw = w) fixed (float* px = xs) fixed (float* py = y)
        {
            int chunks = Chunks(inDim, outDim);
            var body = new Chunk<TW, TL, TV> { W = pw, X = px, Y = py, Rows = rows, InDim = inDim, OutDim = outDim, Blocks = blocks, TailFrom = tail, Chunks = chunks };
            Workers.For(chunks, ref body);
        }
    }

    /// <summary>Outputs [OutDim·c / Chunks, OutDim·(c + 1) / Chunks) of y for every row.</summary>
    struct Chunk<TW, TL, TV> : IParallelBody where TW : IWiden where TL : ILanes<TV> where TV : struct
    {
        public ushort* W; public float* X, Y;
        public int Rows, InDim, OutDim, Blocks, TailFrom, Chunks;

        public readonly void Run(int c)
        {
            int from = (int)((long)OutDim * c / Chunks), to = (int)((long)OutDim * (c + 1) / Chunks);
            for (int o = from; o < to; o++)
            {
                ushort* wo = W + (long)o * InDim;
                for (int r = 0; r < Rows; r += 2)
                {
                    float* xa = X + (long)r * InDim;
                    if (r + 1 < Rows)
                    {
                        float* xb = xa + InDim;
                        var (ya, yb) = Dot2<TW, TL, TV>((uint*)wo, xa, xb, Blocks);
                        Y[(long)r * OutDim + o] = ya + Tail<TW>(wo, xa, TailFrom, InDim);
                        Y[(long)(r + 1) * OutDim + o] = yb + Tail<TW>(wo, xb, TailFrom, InDim);
                    }
                    else Y[(long)r * OutDim + o] = Dot1<TW, TL, TV>((uint*)wo, xa, Blocks) + Tail<TW>(wo, xa, TailFrom, InDim);
                }
            }
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

    // Elements [from, to) one at a time: the scalar kernel, and the tail after the vector blocks (also SkinnyGemm16's).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Tail<TW>(ushort* w, float* x, int from, int to) where TW : IWiden
    {
        float acc = 0;
        for (int k = from; k < to; k++) acc += TW.Widen(w[k]) * x[k];
        return acc;
    }

    // One row of x against one row of W: two blocks per iteration, so four independent FMA chains hide the FMA latency.
    static float Dot1<TW, TL, TV>(uint* w, float* x, int blocks) where TW : IWiden where TL : ILanes<TV> where TV : struct
    {
        int n = TL.Floats;
        TV a0 = default, a1 = default, a2 = default, a3 = default;
        int b = 0;
        for (; b + 2 <= blocks; b += 2, w += 2 * n, x += 4 * n)
        {
            Prefetch(w, 8 * n);
            TL.Widen<TW>(w, out var e0, out var o0);
            TL.Widen<TW>(w + n, out var e1, out var o1);
            a0 = TL.Fma(e0, TL.Load(x), a0);
            a1 = TL.Fma(o0, TL.Load(x + n), a1);
            a2 = TL.Fma(e1, TL.Load(x + 2 * n), a2);
            a3 = TL.Fma(o1, TL.Load(x + 3 * n), a3);
        }
        if (b < blocks)
        {
            TL.Widen<TW>(w, out var e, out var o);
            a0 = TL.Fma(e, TL.Load(x), a0);
            a1 = TL.Fma(o, TL.Load(x + n), a1);
        }
        return TL.Sum(TL.Add(TL.Add(a0, a1), TL.Add(a2, a3)));
    }

    // Two rows of x against one row of W: each widened weight serves both.
    static (float, float) Dot2<TW, TL, TV>(uint* w, float* xa, float* xb, int blocks) where TW : IWiden where TL : ILanes<TV> where TV : struct
    {
        int n = TL.Floats;
        TV a0 = default, a1 = default, b0 = default, b1 = default;
        for (int b = 0; b < blocks; b++, w += n, xa += 2 * n, xb += 2 * n)
        {
            if ((b & 1) == 0 || n == 16) Prefetch(w, 64);   // one line per 64 bytes of W
            TL.Widen<TW>(w, out var e, out var o);
            a0 = TL.Fma(e, TL.Load(xa), a0);
            a1 = TL.Fma(o, TL.Load(xa + n), a1);
            b0 = TL.Fma(e, TL.Load(xb), b0);
            b1 = TL.Fma(o, TL.Load(xb + n), b1);
        }
        return (TL.Sum(TL.Add(a0, a1)), TL.Sum(TL.Add(b0, b1)));
    }

    /// <summary>The vector operations the kernels need, for one vector width; generic kernels over these structs compile to one
    /// specialised body per width.</summary>
    internal interface ILanes<TV> where TV : struct
    {
        static abstract int Floats { get; }
        /// <summary>Widens the Floats pairs of 16-bit values at <paramref name="pairs"/>.</summary>
        static abstract void Widen<TW>(uint* pairs, out TV even, out TV odd) where TW : IWiden;
        static abstract TV Load(float* p);
        static abstract TV Fma(TV a, TV b, TV acc);
        static abstract TV Add(TV a, TV b);
        static abstract float Sum(TV v);
    }

    internal readonly struct Lanes256 : ILanes<Vector256<float>>
    {
        public static int Floats => 8;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Widen<TW>(uint* pairs, out Vector256<float> even, out Vector256<float> odd) where TW : IWiden => TW.Widen(Vector256.Load(pairs), out even, out odd);
        public static Vector256<float> Load(float* p) => Vector256.Load(p);
        public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> acc) => Vector256.FusedMultiplyAdd(a, b, acc);
        public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
        public static float Sum(Vector256<float> v) => Vector256.Sum(v);
    }

    internal readonly struct Lanes512 : ILanes<Vector512<float>>
    {
        public static int Floats => 16;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Widen<TW>(uint* pairs, out Vector512<float> even, out Vector512<float> odd) where TW : IWiden => TW.Widen(Vector512.Load(pairs), out even, out odd);
        public static Vector512<float> Load(float* p) => Vector512.Load(p);
        public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> acc) => Vector512.FusedMultiplyAdd(a, b, acc);
        public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
        public static float Sum(Vector512<float> v) => Vector512.Sum(v);
    }

    /// <summary>Widens a 16-bit float format to fp32: one element, or the even (low halves) and odd (high halves) elements of a
    /// vector of 32-bit pairs. Generic methods over these structs compile to one specialised kernel per format.</summary>
    internal interface IWiden
    {
        static abstract float Widen(ushort h);
        static abstract void Widen(Vector256<uint> pairs, out Vector256<float> even, out Vector256<float> odd);
        static abstract void Widen(Vector512<uint> pairs, out Vector512<float> even, out Vector512<float> odd);
        /// <summary>The 8 consecutive values at <paramref name="p"/>, in order.</summary>
        static abstract Vector256<float> Widen8(ushort* p);
    }

    /// <summary>8 consecutive 16-bit values zero-extended to 32 bits (one vpmovzxwd where AVX2 has it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<uint> ZeroExtend8(ushort* p)
    {
        if (Avx2.IsSupported) return Avx2.ConvertToVector256Int32(p).AsUInt32();
        var v = Vector128.Load(p);
        return Vector256.Create(Vector128.WidenLower(v), Vector128.WidenUpper(v));
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

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Widen8(ushort* p) => (ZeroExtend8(p) << 16).AsSingle();
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
        public static Vector256<float> Widen8(ushort* p) => ToSingle(ZeroExtend8(p));

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
