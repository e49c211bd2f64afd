using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LayerSteer.Tensors;

/// <summary>C = A·Bᵀ (the linear-layer shape) where every row of C depends only on its own row of A, bit for bit: each element is
/// one fixed-order dot product (8-lane fused multiply-adds over k from index 0, a fixed lane reduction, then the scalar tail),
/// whatever the number of rows, a row's place in the batch or the buffers' alignment. BLAS kernels choose blockings by shape
/// (and TensorPrimitives' reductions by alignment), so a row batched with others would otherwise round differently than alone.
/// Rows × outputs are register-blocked 2 × 4, so a batch still reuses each weight row it loads.</summary>
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
                for (; i + 2 <= m; i += 2)
                {
                    int j = j0;
                    for (; j + 4 <= j1; j += 4) Block2x4(A + (long)i * lda, lda, B + (long)j * ldb, ldb, C + (long)i * ldc + j, ldc, k);
                    for (; j < j1; j++)
                        for (int ii = i; ii < i + 2; ii++) C[(long)ii * ldc + j] = Dot(A + (long)ii * lda, B + (long)j * ldb, k);
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

    // Two rows × four outputs at once: every accumulator runs exactly Dot's sequence of operations.
    static void Block2x4(float* x0, int lda, float* w0, int ldb, float* c, int ldc, int k)
    {
        float* x1 = x0 + lda, w1 = w0 + ldb, w2 = w0 + 2L * ldb, w3 = w0 + 3L * ldb;
        Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default;
        int p = 0;
        for (; p + 8 <= k; p += 8)
        {
            var u0 = Vector256.Load(x0 + p); var u1 = Vector256.Load(x1 + p);
            var v0 = Vector256.Load(w0 + p); var v1 = Vector256.Load(w1 + p); var v2 = Vector256.Load(w2 + p); var v3 = Vector256.Load(w3 + p);
            a00 = Vector256.FusedMultiplyAdd(u0, v0, a00); a01 = Vector256.FusedMultiplyAdd(u0, v1, a01);
            a02 = Vector256.FusedMultiplyAdd(u0, v2, a02); a03 = Vector256.FusedMultiplyAdd(u0, v3, a03);
            a10 = Vector256.FusedMultiplyAdd(u1, v0, a10); a11 = Vector256.FusedMultiplyAdd(u1, v1, a11);
            a12 = Vector256.FusedMultiplyAdd(u1, v2, a12); a13 = Vector256.FusedMultiplyAdd(u1, v3, a13);
        }
        c[0] = Tail(Reduce(a00), x0, w0, p, k); c[1] = Tail(Reduce(a01), x0, w1, p, k);
        c[2] = Tail(Reduce(a02), x0, w2, p, k); c[3] = Tail(Reduce(a03), x0, w3, p, k);
        c[ldc] = Tail(Reduce(a10), x1, w0, p, k); c[ldc + 1] = Tail(Reduce(a11), x1, w1, p, k);
        c[ldc + 2] = Tail(Reduce(a12), x1, w2, p, k); c[ldc + 3] = Tail(Reduce(a13), x1, w3, p, k);
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
        c[0] = Tail(Reduce(a0), x, w0, p, k); c[1] = Tail(Reduce(a1), x, w1, p, k);
        c[2] = Tail(Reduce(a2), x, w2, p, k); c[3] = Tail(Reduce(a3), x, w3, p, k);
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
