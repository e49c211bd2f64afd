using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LayerSteer.Tensors;

/// <summary>C = A·Bᵀ (the linear-layer shape) where every row of C depends only on its own row of A, bit for bit: each element is
/// one fixed-order dot product (8-lane fused multiply-adds over k from index 0, a fixed lane reduction, then the scalar tail),
/// whatever the number of rows, a row's place in the batch or the buffers' alignment. BLAS kernels choose blockings by shape
/// (and TensorPrimitives' reductions by alignment), so a row batched with others would otherwise round differently than alone.
/// Rows × outputs are register-blocked 3 × 4, so a batch still reuses each weight row it loads.</summary>
public static unsafe class RowExactGemm
{
    const int TileOut = 64;
    // Below this many multiply-adds a product runs on the calling thread: small models decode faster without the hand-offs.
    const long ParallelWork = 1L << 22;

    /// <summary>c[i, j] = Σ_p a[i, p]·b[j, p] for i &lt; m, j &lt; n, p &lt; k (row-major, leading dimensions lda, ldb, ldc).</summary>
    public static void Multiply(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        int tiles = (n + TileOut - 1) / TileOut;
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
        {
            float* A = pa, B = pb, C = pc;
            void Tile(int t)
            {
                int j0 = t * TileOut, j1 = Math.Min(n, j0 + TileOut);
                int i = 0;
                for (; i + 3 <= m; i += 3)
                {
                    int j = j0;
                    for (; j + 4 <= j1; j += 4) Block3x4(A + (long)i * lda, lda, B + (long)j * ldb, ldb, C + (long)i * ldc + j, ldc, k);
                    for (; j < j1; j++)
                        for (int ii = i; ii < i + 3; ii++) C[(long)ii * ldc + j] = Dot(A + (long)ii * lda, B + (long)j * ldb, k);
                }
                for (; i < m; i++)
                {
                    int j = j0;
                    for (; j + 4 <= j1; j += 4) Block1x4(A + (long)i * lda, B + (long)j * ldb, ldb, C + (long)i * ldc + j, k);
                    for (; j < j1; j++) C[(long)i * ldc + j] = Dot(A + (long)i * lda, B + (long)j * ldb, k);
                }
            }
            if ((long)m * n * k < ParallelWork) for (int t = 0; t < tiles; t++) Tile(t);
            else Parallel.For(0, tiles, Tile);
        }
    }

    /// <summary>The one definition of an element: Σ x[p]·w[p] as 8 lane-wise FMA chains over p = lane, lane + 8, …, reduced
    /// pairwise, then the tail p ≥ 8⌊k/8⌋ by scalar FMAs.</summary>
    public static float Dot(float* x, float* w, int k)
    {
        var acc = Vector256<float>.Zero;
        int p = 0;
        for (; p + 8 <= k; p += 8) acc = Vector256.FusedMultiplyAdd(Vector256.Load(x + p), Vector256.Load(w + p), acc);
        return Tail(Reduce(acc), x, w, p, k);
    }

    // Three rows × four outputs at once: every accumulator runs exactly Dot's sequence of operations.
    static void Block3x4(float* x0, int lda, float* w0, int ldb, float* c, int ldc, int k)
    {
        float* x1 = x0 + lda, x2 = x1 + lda;
        Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default,
            a20 = default, a21 = default, a22 = default, a23 = default;
        float* w1 = w0 + ldb, w2 = w0 + 2L * ldb, w3 = w0 + 3L * ldb;
        int p = 0;
        for (; p + 8 <= k; p += 8)
        {
            var u0 = Vector256.Load(x0 + p); var u1 = Vector256.Load(x1 + p); var u2 = Vector256.Load(x2 + p);
            var v = Vector256.Load(w0 + p);
            a00 = Vector256.FusedMultiplyAdd(u0, v, a00); a10 = Vector256.FusedMultiplyAdd(u1, v, a10); a20 = Vector256.FusedMultiplyAdd(u2, v, a20);
            v = Vector256.Load(w1 + p);
            a01 = Vector256.FusedMultiplyAdd(u0, v, a01); a11 = Vector256.FusedMultiplyAdd(u1, v, a11); a21 = Vector256.FusedMultiplyAdd(u2, v, a21);
            v = Vector256.Load(w2 + p);
            a02 = Vector256.FusedMultiplyAdd(u0, v, a02); a12 = Vector256.FusedMultiplyAdd(u1, v, a12); a22 = Vector256.FusedMultiplyAdd(u2, v, a22);
            v = Vector256.Load(w3 + p);
            a03 = Vector256.FusedMultiplyAdd(u0, v, a03); a13 = Vector256.FusedMultiplyAdd(u1, v, a13); a23 = Vector256.FusedMultiplyAdd(u2, v, a23);
        }
        Store4(Reduce4(a00, a01, a02, a03), x0, w0, ldb, c, p, k);
        Store4(Reduce4(a10, a11, a12, a13), x1, w0, ldb, c + ldc, p, k);
        Store4(Reduce4(a20, a21, a22, a23), x2, w0, ldb, c + 2L * ldc, p, k);
    }

    // One row × four outputs (a lone row: decode of a single sequence).
    static void Block1x4(float* x, float* w0, int ldb, float* c, int k)
    {
        float* w1 = w0 + ldb, w2 = w0 + 2L * ldb, w3 = w0 + 3L * ldb;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        int p = 0;
        for (; p + 8 <= k; p += 8)
        {
            var u = Vector256.Load(x + p);
            a0 = Vector256.FusedMultiplyAdd(u, Vector256.Load(w0 + p), a0); a1 = Vector256.FusedMultiplyAdd(u, Vector256.Load(w1 + p), a1);
            a2 = Vector256.FusedMultiplyAdd(u, Vector256.Load(w2 + p), a2); a3 = Vector256.FusedMultiplyAdd(u, Vector256.Load(w3 + p), a3);
        }
        Store4(Reduce4(a0, a1, a2, a3), x, w0, ldb, c, p, k);
    }

    // Reduce of four accumulators at once, in Reduce's order: two horizontal adds give ((a0+a1)+(a2+a3)) per half, the halves add.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> Reduce4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
    {
        if (!System.Runtime.Intrinsics.X86.Avx.IsSupported) return Vector128.Create(Reduce(a), Reduce(b), Reduce(c), Reduce(d));
        var h = System.Runtime.Intrinsics.X86.Avx.HorizontalAdd(System.Runtime.Intrinsics.X86.Avx.HorizontalAdd(a, b), System.Runtime.Intrinsics.X86.Avx.HorizontalAdd(c, d));
        return h.GetLower() + h.GetUpper();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store4(Vector128<float> r, float* x, float* w0, int ldb, float* c, int p, int k)
    {
        for (int j = 0; j < 4; j++) c[j] = Tail(r[j], x, w0 + j * (long)ldb, p, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Reduce(Vector256<float> a) => ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static float Tail(float s, float* x, float* w, int p, int k)
    {
        for (; p < k; p++) s = MathF.FusedMultiplyAdd(x[p], w[p], s);
        return s;
    }
}
