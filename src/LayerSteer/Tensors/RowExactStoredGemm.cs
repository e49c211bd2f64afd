using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LayerSteer.Tensors;

/// <summary><see cref="RowExactGemm"/>'s guarantee — every row of y = x·Wᵀ depends only on its own row of x, bit for bit — for weights
/// used as they are stored ([out, in] in F32, BF16 or F16, e.g. in a mapped checkpoint), with no packed fp32 copy: a BF16 model is
/// served from its own 2 bytes per weight. Each element is one chain over k: 8 lanes of fused multiply-adds over the blocks of 8
/// in order, their sum (<see cref="Vector256.Sum{T}"/>), then the tail one element at a time. Rows are register-blocked 4 at a
/// time against 2 outputs (a lone row: 1 against 4), and every output's weights stay in L1 while all rows pass over them, so a
/// batch streams the weights from memory once per step.</summary>
public static unsafe class RowExactStoredGemm
{
    const int Lanes = 8;
    // Outputs per unit of work that RowExactGemm.Spread may hand to another thread (it decides whether a product fans out).
    const int OutputsPerTask = 64;

    /// <summary>y[rows, outDim] = x[rows, inDim] · Wᵀ, W [outDim, inDim] in <paramref name="dtype"/> (F32, BF16 or F16) as raw bytes.</summary>
    public static void Multiply(DType dtype, ReadOnlySpan<byte> w, ReadOnlySpan<float> x, Span<float> y, int rows, int inDim, int outDim)
    {
        if (w.Length < (long)outDim * inDim * DTypes.Size(dtype) || x.Length < rows * inDim || y.Length < rows * outDim)
            throw new ArgumentException("a buffer is shorter than its shape");
        switch (dtype)
        {
            case DType.F32: Run<F32>(w, x, y, rows, inDim, outDim); break;
            case DType.BF16: Run<Sixteen<Gemv16.Bf16>>(w, x, y, rows, inDim, outDim); break;
            case DType.F16: Run<Sixteen<Gemv16.F16>>(w, x, y, rows, inDim, outDim); break;
            default: throw new ArgumentException($"the row-exact GEMM takes F32, BF16 or F16 weights, not {DTypes.Name(dtype)}", nameof(dtype));
        }
    }

    static void Run<TS>(ReadOnlySpan<byte> w, ReadOnlySpan<float> x, Span<float> y, int rows, int inDim, int outDim) where TS : IStored
    {
        int tasks = (outDim + OutputsPerTask - 1) / OutputsPerTask;
        fixed (byte* pw = w) fixed (float* px = x) fixed (float* py = y)
        {
            var body = new Outputs<TS> { W = pw, X = px, Y = py, Rows = rows, InDim = inDim, OutDim = outDim };
            RowExactGemm.Spread(tasks, (long)rows * outDim * inDim, ref body);
        }
    }

    /// <summary>Task t: outputs [64t, 64t + 64) for every row.</summary>
    struct Outputs<TS> : IParallelBody where TS : IStored
    {
        public byte* W; public float* X, Y;
        public int Rows, InDim, OutDim;

        public readonly void Run(int t)
        {
            int from = t * OutputsPerTask, to = Math.Min(OutDim, from + OutputsPerTask), full = Rows / 4 * 4;
            int o = from;
            for (; o + 2 <= to; o += 2)
            {
                byte* w0 = W + (long)o * InDim * TS.Size, w1 = w0 + (long)InDim * TS.Size;
                for (int r = 0; r < full; r += 4) Block4x2<TS>(X + (long)r * InDim, InDim, w0, w1, Y + (long)r * OutDim + o, OutDim);
            }
            for (; o < to; o++)
                for (int r = 0; r < full; r += 4)
                    for (int i = 0; i < 4; i++) Y[(long)(r + i) * OutDim + o] = Dot<TS>(X + (long)(r + i) * InDim, W + (long)o * InDim * TS.Size, InDim);
            for (int r = full; r < Rows; r++)   // rows past the last block of 4
            {
                float* xr = X + (long)r * InDim, yr = Y + (long)r * OutDim;
                o = from;
                for (; o + 4 <= to; o += 4) Block1x4<TS>(xr, InDim, W + (long)o * InDim * TS.Size, yr + o);
                for (; o < to; o++) yr[o] = Dot<TS>(xr, W + (long)o * InDim * TS.Size, InDim);
            }
        }
    }

    // The chain's end, the same in every kernel: the lanes' sum, then the tail elements in order.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Finish<TS>(Vector256<float> acc, float* x, byte* w, int k) where TS : IStored
    {
        float s = Vector256.Sum(acc);
        for (int p = k / Lanes * Lanes; p < k; p++) s = MathF.FusedMultiplyAdd(x[p], TS.Load1(w, p), s);
        return s;
    }

    static float Dot<TS>(float* x, byte* w, int k) where TS : IStored
    {
        Vector256<float> a = default;
        for (int p = 0; p + Lanes <= k; p += Lanes) a = Vector256.FusedMultiplyAdd(Vector256.Load(x + p), TS.Load8(w, p), a);
        return Finish<TS>(a, x, w, k);
    }

    // 4 rows × 2 outputs: 8 chains, each widened weight vector serving 4 rows.
    static void Block4x2<TS>(float* x0, int k, byte* w0, byte* w1, float* y, int ldy) where TS : IStored
    {
        float* x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
        Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
        for (int p = 0; p + Lanes <= k; p += Lanes)
        {
            var u = TS.Load8(w0, p); var v = TS.Load8(w1, p);
            var s = Vector256.Load(x0 + p); a0 = Vector256.FusedMultiplyAdd(s, u, a0); b0 = Vector256.FusedMultiplyAdd(s, v, b0);
            s = Vector256.Load(x1 + p); a1 = Vector256.FusedMultiplyAdd(s, u, a1); b1 = Vector256.FusedMultiplyAdd(s, v, b1);
            s = Vector256.Load(x2 + p); a2 = Vector256.FusedMultiplyAdd(s, u, a2); b2 = Vector256.FusedMultiplyAdd(s, v, b2);
            s = Vector256.Load(x3 + p); a3 = Vector256.FusedMultiplyAdd(s, u, a3); b3 = Vector256.FusedMultiplyAdd(s, v, b3);
        }
        y[0] = Finish<TS>(a0, x0, w0, k); y[1] = Finish<TS>(b0, x0, w1, k);
        y[ldy] = Finish<TS>(a1, x1, w0, k); y[ldy + 1] = Finish<TS>(b1, x1, w1, k);
        y[2L * ldy] = Finish<TS>(a2, x2, w0, k); y[2L * ldy + 1] = Finish<TS>(b2, x2, w1, k);
        y[3L * ldy] = Finish<TS>(a3, x3, w0, k); y[3L * ldy + 1] = Finish<TS>(b3, x3, w1, k);
    }

    // 1 row × 4 consecutive outputs: 4 chains, so a lone row is not bound by one chain's FMA latency.
    static void Block1x4<TS>(float* x, int k, byte* w, float* y) where TS : IStored
    {
        long stride = (long)k * TS.Size;
        byte* w1 = w + stride, w2 = w1 + stride, w3 = w2 + stride;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int p = 0; p + Lanes <= k; p += Lanes)
        {
            var s = Vector256.Load(x + p);
            a0 = Vector256.FusedMultiplyAdd(s, TS.Load8(w, p), a0);
            a1 = Vector256.FusedMultiplyAdd(s, TS.Load8(w1, p), a1);
            a2 = Vector256.FusedMultiplyAdd(s, TS.Load8(w2, p), a2);
            a3 = Vector256.FusedMultiplyAdd(s, TS.Load8(w3, p), a3);
        }
        y[0] = Finish<TS>(a0, x, w, k); y[1] = Finish<TS>(a1, x, w1, k);
        y[2] = Finish<TS>(a2, x, w2, k); y[3] = Finish<TS>(a3, x, w3, k);
    }

    /// <summary>How a weight format is read as fp32: 8 consecutive values, or one.</summary>
    interface IStored
    {
        static abstract int Size { get; }
        static abstract Vector256<float> Load8(byte* w, int k);
        static abstract float Load1(byte* w, int k);
    }

    readonly struct F32 : IStored
    {
        public static int Size => 4;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load8(byte* w, int k) => Vector256.Load((float*)w + k);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load1(byte* w, int k) => ((float*)w)[k];
    }

    readonly struct Sixteen<TW> : IStored where TW : Gemv16.IWiden
    {
        public static int Size => 2;
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load8(byte* w, int k) => TW.Widen8((ushort*)w + k);
        [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load1(byte* w, int k) => TW.Widen(((ushort*)w)[k]);
    }
}
