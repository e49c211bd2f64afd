using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LayerSteer.Tensors;

/// <summary>Products with 16-bit W [Out, In] for the rows of a prefill or of the Δ fit's suffix, straight from the (mapped)
/// weights. Up to <see cref="MaxRows"/> rows W is widened in registers, 8 values at a time, and every widened vector feeds the FMAs
/// of three rows, so nothing is converted to memory. Past that, each 16-row × 1,024-column panel of W is widened once into an
/// fp32 k-major panel that 6-row register tiles then sweep as a classic outer-product GEMM (no widening, no horizontal sums in
/// the inner loop). OpenBLAS behind <see cref="PanelGemm"/> reaches a quarter to a third of the FMA peak at these sizes (it packs
/// and synchronises per panel). Each output element is summed by one thread in one fixed order, so results do not depend on the
/// thread count.</summary>
public static unsafe class SkinnyGemm16
{
    /// <summary>Products of up to this many rows widen W in registers (forward) or take this kernel at all (backward; more go to
    /// <see cref="PanelGemm"/>, which catches up at about 64 rows: Llama-3-8B shapes on 2 EPYC cores, 1.5–4× faster at 5–30 rows,
    /// within noise at 64). Forwards of more rows pack W into fp32 panels, which pays once there are enough rows to reuse them.</summary>
    public const int MaxRows = 64;

    /// <summary>Whether the kernels run on hardware vectors; without 256-bit vectors (they would be emulated) PanelGemm is faster.</summary>
    public static bool IsAccelerated => Vector256.IsHardwareAccelerated;

    const int Rows = 3;          // rows of x (forward) or dy (backward) per register tile
    const int Outs = 4;          // rows of W per forward tile: 3 × 4 accumulators
    const int KTile = 32;        // columns of W per backward tile: 3 × 4 vectors of 8
    const int OBlock = 64;       // rows of W packed per backward panel (64 × 32 × 4 bytes = 8 KiB per k-tile, in L1)
    const long ParallelFlops = 1L << 20;

    // The packed forward: a 6 × 16 register tile (12 accumulators, 2 panel vectors, 1 broadcast) over panels of at most KDepth
    // columns (a 64 KiB panel in L2), for blocks of at most RowBlock rows of x. Measured on 2 EPYC cores against the register-
    // widening kernel at 128 rows: 117–158 against 70–115 GFLOP/s on Qwen2.5-0.5B shapes, 126 against 110 on Llama-3-8B's MLP.
    const int PanelRows = 16, TileRows = 6, KDepth = 1024, RowBlock = 128;

    [ThreadStatic] static float[]? _zeros;
    [ThreadStatic] static float[]? _panel, _widePanel;

    // A row of zeros standing in for the missing rows of the last tile (their results are never stored).
    static float[] Zeros(int n) => _zeros is { } z && z.Length >= n ? z : _zeros = new float[n];

    static int Threads(long flops) => flops < ParallelFlops ? 1 : Environment.ProcessorCount;

    /// <summary>y[rows, Out] = x[rows, In]·Wᵀ.</summary>
    public static void Forward(DType dtype, ReadOnlySpan<ushort> w, ReadOnlySpan<float> x, Span<float> y, int rows, int inDim, int outDim) =>
        Forward(dtype, w, x, y, rows, inDim, outDim, Threads(2L * rows * inDim * outDim));

    /// <summary>dx[rows, In] += dy[rows, Out]·W.</summary>
    public static void Backward(DType dtype, ReadOnlySpan<ushort> w, ReadOnlySpan<float> dy, Span<float> dx, int rows, int inDim, int outDim) =>
        Backward(dtype, w, dy, dx, rows, inDim, outDim, Threads(2L * rows * inDim * outDim));

    internal static void Forward(DType dtype, ReadOnlySpan<ushort> w, ReadOnlySpan<float> x, Span<float> y, int rows, int inDim, int outDim, int threads)
    {
        Check(w, x, y, rows, inDim, outDim);
        if (dtype == DType.BF16) Forward<Gemv16.Bf16>(w, x, y, rows, inDim, outDim, threads);
        else if (dtype == DType.F16) Forward<Gemv16.F16>(w, x, y, rows, inDim, outDim, threads);
        else throw new ArgumentException($"the 16-bit GEMM takes BF16 or F16 weights, not {DTypes.Name(dtype)}", nameof(dtype));
    }

    internal static void Backward(DType dtype, ReadOnlySpan<ushort> w, ReadOnlySpan<float> dy, Span<float> dx, int rows, int inDim, int outDim, int threads)
    {
        Check(w, dx, dy, rows, inDim, outDim);
        if (dtype == DType.BF16) Backward<Gemv16.Bf16>(w, dy, dx, rows, inDim, outDim, threads);
        else if (dtype == DType.F16) Backward<Gemv16.F16>(w, dy, dx, rows, inDim, outDim, threads);
        else throw new ArgumentException($"the 16-bit GEMM takes BF16 or F16 weights, not {DTypes.Name(dtype)}", nameof(dtype));
    }

    static void Check(ReadOnlySpan<ushort> w, ReadOnlySpan<float> byIn, ReadOnlySpan<float> byOut, int rows, int inDim, int outDim)
    {
        if (rows < 1) throw new ArgumentOutOfRangeException(nameof(rows), $"at least one row, got {rows}");
        if (w.Length < (long)outDim * inDim || byIn.Length < (long)rows * inDim || byOut.Length < (long)rows * outDim)
            throw new ArgumentException("a buffer is shorter than its shape");
    }

    // ------------------------------------------------------------------ forward: y = x·Wᵀ
    static void Forward<TW>(ReadOnlySpan<ushort> w, ReadOnlySpan<float> x, Span<float> y, int rows, int inDim, int outDim, int threads) where TW : Gemv16.IWiden
    {
        // Packing transposes with AVX2 shuffles, which every machine that takes this class from Linear has (IsAccelerated: 256-bit
        // vectors in hardware); a direct caller without them gets the register-widening kernel for any row count.
        if (rows > MaxRows && Avx2.IsSupported) { Packed<TW>(w, x, y, rows, inDim, outDim, threads); return; }
        int tiles = (outDim + Outs - 1) / Outs;
        threads = Math.Clamp(threads, 1, tiles);
        var zero = Zeros(inDim);
        fixed (ushort* pw = w) fixed (float* px = x) fixed (float* py = y) fixed (float* pz = zero)
        {
            var body = new ForwardPart<TW> { W = pw, X = px, Y = py, Z = pz, Rows = rows, InDim = inDim, OutDim = outDim, Tiles = tiles, Threads = threads };
            Workers.For(threads, ref body);
        }
    }

    /// <summary>Part t of the forward: W's rows of tiles [Tiles·t / Threads, Tiles·(t + 1) / Threads) against every row of x.</summary>
    struct ForwardPart<TW> : IParallelBody where TW : Gemv16.IWiden
    {
        public ushort* W; public float* X, Y, Z;
        public int Rows, InDim, OutDim, Tiles, Threads;

        public readonly void Run(int t)
        {
            int o0 = (int)((long)Tiles * t / Threads) * Outs, o1 = Math.Min(OutDim, (int)((long)Tiles * (t + 1) / Threads) * Outs);
            for (int o = o0; o < o1; o += Outs)
                for (int g = 0; g < Rows; g += SkinnyGemm16.Rows)
                {
                    float* x0 = X + (long)g * InDim, x1 = g + 1 < Rows ? x0 + InDim : Z, x2 = g + 2 < Rows ? x0 + 2L * InDim : Z;
                    float* yg = Y + (long)g * OutDim;
                    int valid = Math.Min(SkinnyGemm16.Rows, Rows - g);
                    if (o + Outs <= o1) Tile3x4<TW>(W + (long)o * InDim, InDim, x0, x1, x2, yg + o, OutDim, valid);
                    else for (int j = o; j < o1; j++) Tile3x1<TW>(W + (long)j * InDim, InDim, x0, x1, x2, yg + j, OutDim, valid);
                }
        }
    }

    // Three rows of x against four rows of W: each widened vector of W feeds three FMAs, each load of x four.
    static void Tile3x4<TW>(ushort* w, int inDim, float* x0, float* x1, float* x2, float* y, int yStride, int valid) where TW : Gemv16.IWiden
    {
        ushort* w0 = w, w1 = w + inDim, w2 = w1 + inDim, w3 = w2 + inDim;
        Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector256<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector256<float> a20 = default, a21 = default, a22 = default, a23 = default;
        int k = 0;
        for (; k + 8 <= inDim; k += 8)
        {
            var v0 = Vector256.Load(x0 + k); var v1 = Vector256.Load(x1 + k); var v2 = Vector256.Load(x2 + k);
            var c = TW.Widen8(w0 + k); a00 = Vector256.FusedMultiplyAdd(c, v0, a00); a10 = Vector256.FusedMultiplyAdd(c, v1, a10); a20 = Vector256.FusedMultiplyAdd(c, v2, a20);
            c = TW.Widen8(w1 + k); a01 = Vector256.FusedMultiplyAdd(c, v0, a01); a11 = Vector256.FusedMultiplyAdd(c, v1, a11); a21 = Vector256.FusedMultiplyAdd(c, v2, a21);
            c = TW.Widen8(w2 + k); a02 = Vector256.FusedMultiplyAdd(c, v0, a02); a12 = Vector256.FusedMultiplyAdd(c, v1, a12); a22 = Vector256.FusedMultiplyAdd(c, v2, a22);
            c = TW.Widen8(w3 + k); a03 = Vector256.FusedMultiplyAdd(c, v0, a03); a13 = Vector256.FusedMultiplyAdd(c, v1, a13); a23 = Vector256.FusedMultiplyAdd(c, v2, a23);
        }
        Store(y, Vector256.Sum(a00) + Gemv16.Tail<TW>(w0, x0, k, inDim), Vector256.Sum(a01) + Gemv16.Tail<TW>(w1, x0, k, inDim),
            Vector256.Sum(a02) + Gemv16.Tail<TW>(w2, x0, k, inDim), Vector256.Sum(a03) + Gemv16.Tail<TW>(w3, x0, k, inDim));
        if (valid > 1) Store(y + yStride, Vector256.Sum(a10) + Gemv16.Tail<TW>(w0, x1, k, inDim), Vector256.Sum(a11) + Gemv16.Tail<TW>(w1, x1, k, inDim),
            Vector256.Sum(a12) + Gemv16.Tail<TW>(w2, x1, k, inDim), Vector256.Sum(a13) + Gemv16.Tail<TW>(w3, x1, k, inDim));
        if (valid > 2) Store(y + 2L * yStride, Vector256.Sum(a20) + Gemv16.Tail<TW>(w0, x2, k, inDim), Vector256.Sum(a21) + Gemv16.Tail<TW>(w1, x2, k, inDim),
            Vector256.Sum(a22) + Gemv16.Tail<TW>(w2, x2, k, inDim), Vector256.Sum(a23) + Gemv16.Tail<TW>(w3, x2, k, inDim));
    }

    // The last Out % 4 rows of W, one at a time.
    static void Tile3x1<TW>(ushort* w, int inDim, float* x0, float* x1, float* x2, float* y, int yStride, int valid) where TW : Gemv16.IWiden
    {
        Vector256<float> a0 = default, a1 = default, a2 = default;
        int k = 0;
        for (; k + 8 <= inDim; k += 8)
        {
            var c = TW.Widen8(w + k);
            a0 = Vector256.FusedMultiplyAdd(c, Vector256.Load(x0 + k), a0);
            a1 = Vector256.FusedMultiplyAdd(c, Vector256.Load(x1 + k), a1);
            a2 = Vector256.FusedMultiplyAdd(c, Vector256.Load(x2 + k), a2);
        }
        y[0] = Vector256.Sum(a0) + Gemv16.Tail<TW>(w, x0, k, inDim);
        if (valid > 1) y[yStride] = Vector256.Sum(a1) + Gemv16.Tail<TW>(w, x1, k, inDim);
        if (valid > 2) y[2L * yStride] = Vector256.Sum(a2) + Gemv16.Tail<TW>(w, x2, k, inDim);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(float* y, float a, float b, float c, float d) { y[0] = a; y[1] = b; y[2] = c; y[3] = d; }

    // ------------------------------------------------------------------ packed forward: y = x·Wᵀ past MaxRows rows
    // Threads split W's 16-row panels. For each block of rows and each depth block of columns, a thread widens one panel of W
    // into P[k][16] (fp32, k-major) and sweeps every 6-row tile of x across it; y is stored by the first depth block and added to
    // by the rest, so each element is still summed in one fixed order.
    static void Packed<TW>(ReadOnlySpan<ushort> w, ReadOnlySpan<float> x, Span<float> y, int rows, int inDim, int outDim, int threads) where TW : Gemv16.IWiden
    {
        int panels = (outDim + PanelRows - 1) / PanelRows;
        int depths = (inDim + KDepth - 1) / KDepth, depth = (inDim + depths - 1) / depths;   // equal depth blocks
        threads = Math.Clamp(threads, 1, panels);
        var zero = Zeros(inDim);
        fixed (ushort* pw = w) fixed (float* px = x) fixed (float* py = y) fixed (float* pz = zero)
        {
            var body = new PackedPart<TW> { W = pw, X = px, Y = py, Z = pz, Rows = rows, InDim = inDim, OutDim = outDim, Depth = depth, Panels = panels, Threads = threads };
            Workers.For(threads, ref body);
        }
    }

    /// <summary>Part t of the packed forward: W's panels [Panels·t / Threads, Panels·(t + 1) / Threads) against every row of x.</summary>
    struct PackedPart<TW> : IParallelBody where TW : Gemv16.IWiden
    {
        public ushort* W; public float* X, Y, Z;
        public int Rows, InDim, OutDim, Depth, Panels, Threads;

        public readonly void Run(int t)
        {
            int p0 = (int)((long)Panels * t / Threads), p1 = (int)((long)Panels * (t + 1) / Threads);
            var panel = _widePanel ??= new float[PanelRows * KDepth];
            fixed (float* P = panel)
                for (int r0 = 0; r0 < Rows; r0 += RowBlock)
                {
                    int rn = Math.Min(RowBlock, Rows - r0);
                    for (int kb = 0; kb < InDim; kb += Depth)
                    {
                        int kc = Math.Min(Depth, InDim - kb);
                        for (int p = p0; p < p1; p++)
                        {
                            int ob = p * PanelRows, on = Math.Min(PanelRows, OutDim - ob);
                            Widen<TW>(W + (long)ob * InDim + kb, InDim, on, kc, P);
                            for (int g = 0; g < rn; g += TileRows)
                                Tile6x16(P, kc, X + (long)(r0 + g) * InDim + kb, InDim, Math.Min(TileRows, rn - g), Z,
                                    Y + (long)(r0 + g) * OutDim + ob, OutDim, on, first: kb == 0);
                        }
                    }
                }
        }
    }

    // W's rows [0, on) × columns [0, kc) from w (row stride inDim) into P[k][16] as fp32; rows past `on` are zeros. Full panels
    // go 8 × 8 at a time: eight widened rows, transposed in registers.
    static void Widen<TW>(ushort* w, int inDim, int on, int kc, float* P) where TW : Gemv16.IWiden
    {
        int k8 = on == PanelRows ? kc / 8 * 8 : 0;
        for (int j0 = 0; j0 < PanelRows && k8 > 0; j0 += 8)
        {
            ushort* s = w + (long)j0 * inDim;
            for (int k = 0; k < k8; k += 8)
                Transpose8(TW.Widen8(s + k), TW.Widen8(s + inDim + k), TW.Widen8(s + 2L * inDim + k), TW.Widen8(s + 3L * inDim + k),
                    TW.Widen8(s + 4L * inDim + k), TW.Widen8(s + 5L * inDim + k), TW.Widen8(s + 6L * inDim + k), TW.Widen8(s + 7L * inDim + k),
                    P + (long)k * PanelRows + j0);
        }
        for (int j = 0; j < PanelRows; j++)
            for (int k = k8; k < kc; k++) P[(long)k * PanelRows + j] = j < on ? TW.Widen(w[(long)j * inDim + k]) : 0f;
    }

    // Rows r0..r7 (8 values each) as columns: dst[m·16 + i] = r_i[m].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Transpose8(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* dst)
    {
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1); var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5); var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        // s_m holds value m (low 128 bits) and m + 4 (high) of rows 0–3 (s0–s3) or 4–7 (s4–s7).
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE); var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE); var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).Store(dst); Avx.Permute2x128(s1, s5, 0x20).Store(dst + PanelRows);
        Avx.Permute2x128(s2, s6, 0x20).Store(dst + 2 * PanelRows); Avx.Permute2x128(s3, s7, 0x20).Store(dst + 3 * PanelRows);
        Avx.Permute2x128(s0, s4, 0x31).Store(dst + 4 * PanelRows); Avx.Permute2x128(s1, s5, 0x31).Store(dst + 5 * PanelRows);
        Avx.Permute2x128(s2, s6, 0x31).Store(dst + 6 * PanelRows); Avx.Permute2x128(s3, s7, 0x31).Store(dst + 7 * PanelRows);
    }

    // y[6 rows, 16] (=|+=) x[6 rows, kc]·P[kc, 16]: per column of x, two panel vectors and six broadcasts feed twelve FMAs.
    static void Tile6x16(float* P, int kc, float* x, int xStride, int valid, float* zero, float* y, int yStride, int on, bool first)
    {
        float* x0 = x, x1 = valid > 1 ? x + xStride : zero, x2 = valid > 2 ? x + 2L * xStride : zero;
        float* x3 = valid > 3 ? x + 3L * xStride : zero, x4 = valid > 4 ? x + 4L * xStride : zero, x5 = valid > 5 ? x + 5L * xStride : zero;
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default;
        Vector256<float> a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
        for (int k = 0; k < kc; k++, P += PanelRows)
        {
            var p0 = Vector256.Load(P); var p1 = Vector256.Load(P + 8);
            var b = Vector256.Create(x0[k]); a00 = Vector256.FusedMultiplyAdd(b, p0, a00); a01 = Vector256.FusedMultiplyAdd(b, p1, a01);
            b = Vector256.Create(x1[k]); a10 = Vector256.FusedMultiplyAdd(b, p0, a10); a11 = Vector256.FusedMultiplyAdd(b, p1, a11);
            b = Vector256.Create(x2[k]); a20 = Vector256.FusedMultiplyAdd(b, p0, a20); a21 = Vector256.FusedMultiplyAdd(b, p1, a21);
            b = Vector256.Create(x3[k]); a30 = Vector256.FusedMultiplyAdd(b, p0, a30); a31 = Vector256.FusedMultiplyAdd(b, p1, a31);
            b = Vector256.Create(x4[k]); a40 = Vector256.FusedMultiplyAdd(b, p0, a40); a41 = Vector256.FusedMultiplyAdd(b, p1, a41);
            b = Vector256.Create(x5[k]); a50 = Vector256.FusedMultiplyAdd(b, p0, a50); a51 = Vector256.FusedMultiplyAdd(b, p1, a51);
        }
        Put(y, a00, a01, on, first);
        if (valid > 1) Put(y + yStride, a10, a11, on, first);
        if (valid > 2) Put(y + 2L * yStride, a20, a21, on, first);
        if (valid > 3) Put(y + 3L * yStride, a30, a31, on, first);
        if (valid > 4) Put(y + 4L * yStride, a40, a41, on, first);
        if (valid > 5) Put(y + 5L * yStride, a50, a51, on, first);
    }

    // The first `on` of 16 sums into y: stored by the first depth block, added by the others.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Put(float* y, Vector256<float> lo, Vector256<float> hi, int on, bool first)
    {
        if (on == PanelRows)
        {
            if (!first) { lo += Vector256.Load(y); hi += Vector256.Load(y + 8); }
            lo.Store(y); hi.Store(y + 8);
            return;
        }
        for (int j = 0; j < on; j++)
        {
            float v = j < 8 ? lo.GetElement(j) : hi.GetElement(j - 8);
            y[j] = first ? v : y[j] + v;
        }
    }

    // ------------------------------------------------------------------ backward: dx += dy·W
    // Threads split the columns of W (each dx element has one owner). A thread copies 64 rows × its columns of W into a panel laid
    // out k-tile by k-tile ([tile][row][32], widened to fp32 once, not once per 3-row tile: Llama-3-8B's 4096 → 14336 at 30
    // rows 88–94 against 74–76 GFLOP/s): walking down a column of W directly would hit one cache set
    // (rows are a power of two apart), the panel walks 64-byte lines in order.
    static void Backward<TW>(ReadOnlySpan<ushort> w, ReadOnlySpan<float> dy, Span<float> dx, int rows, int inDim, int outDim, int threads) where TW : Gemv16.IWiden
    {
        int fullTiles = inDim / KTile;
        threads = Math.Clamp(threads, 1, Math.Max(1, fullTiles));
        var zero = Zeros(outDim);
        fixed (ushort* pw = w) fixed (float* pdy = dy) fixed (float* pdx = dx) fixed (float* pz = zero)
        {
            var body = new BackwardPart<TW> { W = pw, DY = pdy, DX = pdx, Z = pz, Rows = rows, InDim = inDim, OutDim = outDim, FullTiles = fullTiles, Threads = threads };
            Workers.For(threads, ref body);
        }
    }

    /// <summary>Part t of the backward: dx's columns of k-tiles [FullTiles·t / Threads, FullTiles·(t + 1) / Threads), and the last
    /// part also the columns past the last full tile.</summary>
    struct BackwardPart<TW> : IParallelBody where TW : Gemv16.IWiden
    {
        public ushort* W; public float* DY, DX, Z;
        public int Rows, InDim, OutDim, FullTiles, Threads;

        public readonly void Run(int t)
        {
            int t0 = (int)((long)FullTiles * t / Threads), t1 = (int)((long)FullTiles * (t + 1) / Threads);
            int k0 = t0 * KTile, k1 = t1 * KTile;
            // Sized for the widest part, so a thread that runs another part next call does not allocate again.
            int widest = OBlock * KTile * ((FullTiles + Threads - 1) / Threads);
            var panel = _panel is { } p && p.Length >= widest ? p : _panel = new float[Math.Max(widest, 1)];
            fixed (float* P = panel)
                for (int ob = 0; ob < OutDim; ob += OBlock)
                {
                    int on = Math.Min(OBlock, OutDim - ob);
                    Pack<TW>(W, InDim, ob, on, k0, k1, P);
                    int next = Math.Min(OBlock, OutDim - ob - on);
                    for (int kt = 0; kt < t1 - t0; kt++)
                    {
                        // While this block computes, the next block's rows are fetched, so its Pack reads from cache.
                        if (Sse.IsSupported)
                            for (int o = 0; o < next; o++) Sse.Prefetch0(W + (long)(ob + on + o) * InDim + k0 + kt * KTile);
                        for (int g = 0; g < Rows; g += SkinnyGemm16.Rows)
                        {
                            float* d0 = DY + (long)g * OutDim + ob, d1 = g + 1 < Rows ? d0 + OutDim : Z, d2 = g + 2 < Rows ? d0 + 2L * OutDim : Z;
                            Tile3x32(P + (long)kt * on * KTile, on, d0, d1, d2, DX + (long)g * InDim + k0 + kt * KTile, InDim, Math.Min(SkinnyGemm16.Rows, Rows - g));
                        }
                    }
                }
            // Columns past the last full tile (inDim % 32), by the last part: a plain sum.
            if (t == Threads - 1)
                for (int r = 0; r < Rows; r++)
                    for (int k = FullTiles * KTile; k < InDim; k++)
                    {
                        float acc = 0;
                        for (int o = 0; o < OutDim; o++) acc += DY[(long)r * OutDim + o] * TW.Widen(W[(long)o * InDim + k]);
                        DX[(long)r * InDim + k] += acc;
                    }
        }
    }

    // Rows [ob, ob + on) × columns [k0, k1) of W, widened, into panel[(k − k0) / 32][row][32].
    static void Pack<TW>(ushort* w, int inDim, int ob, int on, int k0, int k1, float* panel) where TW : Gemv16.IWiden
    {
        int tiles = (k1 - k0) / KTile;
        for (int o = 0; o < on; o++)
        {
            ushort* src = w + (long)(ob + o) * inDim + k0;
            for (int t = 0; t < tiles; t++)
            {
                float* dst = panel + ((long)t * on + o) * KTile;
                TW.Widen8(src + t * KTile).Store(dst);
                TW.Widen8(src + t * KTile + 8).Store(dst + 8);
                TW.Widen8(src + t * KTile + 16).Store(dst + 16);
                TW.Widen8(src + t * KTile + 24).Store(dst + 24);
            }
        }
    }

    // dx[3 rows, 32 columns] += dy[3 rows, on]·panel[on, 32]: per row of the panel, four vectors, each feeding three FMAs.
    static void Tile3x32(float* panel, int on, float* d0, float* d1, float* d2, float* dx, int dxStride, int valid)
    {
        Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector256<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector256<float> a20 = default, a21 = default, a22 = default, a23 = default;
        for (int o = 0; o < on; o++, panel += KTile)
        {
            var b0 = Vector256.Create(d0[o]); var b1 = Vector256.Create(d1[o]); var b2 = Vector256.Create(d2[o]);
            var c = Vector256.Load(panel); a00 = Vector256.FusedMultiplyAdd(b0, c, a00); a10 = Vector256.FusedMultiplyAdd(b1, c, a10); a20 = Vector256.FusedMultiplyAdd(b2, c, a20);
            c = Vector256.Load(panel + 8); a01 = Vector256.FusedMultiplyAdd(b0, c, a01); a11 = Vector256.FusedMultiplyAdd(b1, c, a11); a21 = Vector256.FusedMultiplyAdd(b2, c, a21);
            c = Vector256.Load(panel + 16); a02 = Vector256.FusedMultiplyAdd(b0, c, a02); a12 = Vector256.FusedMultiplyAdd(b1, c, a12); a22 = Vector256.FusedMultiplyAdd(b2, c, a22);
            c = Vector256.Load(panel + 24); a03 = Vector256.FusedMultiplyAdd(b0, c, a03); a13 = Vector256.FusedMultiplyAdd(b1, c, a13); a23 = Vector256.FusedMultiplyAdd(b2, c, a23);
        }
        AddTo(dx, a00, a01, a02, a03);
        if (valid > 1) AddTo(dx + dxStride, a10, a11, a12, a13);
        if (valid > 2) AddTo(dx + 2L * dxStride, a20, a21, a22, a23);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void AddTo(float* dx, Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
    {
        (Vector256.Load(dx) + a).Store(dx);
        (Vector256.Load(dx + 8) + b).Store(dx + 8);
        (Vector256.Load(dx + 16) + c).Store(dx + 16);
        (Vector256.Load(dx + 24) + d).Store(dx + 24);
    }
}
