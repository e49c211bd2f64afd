using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace LayerSteer.Tensors;

/// <summary>Row-major single-precision GEMM, C = α·op(A)·op(B) + β·C: OpenBLAS when present, else managed SIMD.</summary>
public static unsafe class Gemm
{
    // cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
    static readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> NativeSgemm;
    static readonly delegate* unmanaged<int, void> NativeSetThreads;
    static readonly delegate* unmanaged<int> NativeGetThreads;
    const int RowMajor = 101, NoTrans = 111, Trans = 112;

    /// <summary>"openblas" or "managed" — which implementation runs.</summary>
    public static string Backend { get; }

    /// <summary>Why OpenBLAS is not used (null when it is).</summary>
    public static string? FallbackReason { get; }

    /// <summary>Force the managed path on the calling thread (tests and the benchmark compare both; LAYERSTEER_BLAS=managed
    /// does it for the whole process). Per thread, so a comparison never changes the numbers of work running beside it.</summary>
    public static bool ForceManaged { get => _forceManaged; set => _forceManaged = value; }
    [ThreadStatic] static bool _forceManaged;

    /// <summary>On the calling thread, every <see cref="Linear"/> forward runs <see cref="RowExactGemm"/>, so each row's result is
    /// independent of the other rows (the batch scheduler sets it: batching must not change answers).</summary>
    public static bool RowExact { get => _rowExact; set => _rowExact = value; }
    [ThreadStatic] static bool _rowExact;

    static Gemm()
    {
        if (Environment.GetEnvironmentVariable("LAYERSTEER_BLAS") == "managed")
        {
            FallbackReason = ManagedChoice;
        }
        else if (NativeLibrary.TryLoad("libopenblas.so.0", out var lib) || NativeLibrary.TryLoad("libopenblas.so", out lib))
        {
            if (NativeLibrary.TryGetExport(lib, "cblas_sgemm", out var fn))
                NativeSgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)fn;
            else FallbackReason = "libopenblas.so.0 has no cblas_sgemm";
            if (NativeLibrary.TryGetExport(lib, "openblas_set_num_threads", out var set) && NativeLibrary.TryGetExport(lib, "openblas_get_num_threads", out var get))
            {
                NativeSetThreads = (delegate* unmanaged<int, void>)set;
                NativeGetThreads = (delegate* unmanaged<int>)get;
            }
        }
        else FallbackReason = "libopenblas.so.0 not found (Debian: apt-get install libopenblas0-pthread)";
        Backend = NativeSgemm != null ? "openblas" : "managed";
    }

    /// <summary>True when the user chose the managed path (LAYERSTEER_BLAS=managed).</summary>
    public static bool ManagedByChoice => FallbackReason == ManagedChoice;
    const string ManagedChoice = "LAYERSTEER_BLAS=managed";

    /// <summary>One line for stderr when the slow path is in use without being asked for, else null.</summary>
    public static string? Warning => NativeSgemm == null && !ManagedByChoice
        ? $"warning: using the managed GEMM fallback (slower): {FallbackReason}" : null;

    /// <summary>Until disposed, OpenBLAS runs each call on the calling thread alone: callers that run several GEMMs side by
    /// side (data-parallel training) would otherwise have OpenBLAS's own threads spin against theirs.</summary>
    public static IDisposable NativeSingleThreaded()
    {
        if (NativeSetThreads == null) return new Restore(0);
        int before = NativeGetThreads();
        NativeSetThreads(1);
        return new Restore(before);
    }

    sealed class Restore(int threads) : IDisposable
    {
        public void Dispose() { if (threads > 0) NativeSetThreads(threads); }
    }

    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        if (k == 0) { Scale(c, m, n, ldc, beta); return; }
        if (NativeSgemm != null && !ForceManaged)
        {
            fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
                NativeSgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            return;
        }
        Managed(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>y[rows, out] = x[rows, in] · W[out, in]ᵀ: the shape of every linear layer.</summary>
    public static void LinearForward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, int rows, int inDim, int outDim) =>
        Sgemm(false, true, rows, outDim, inDim, 1f, x, inDim, w, inDim, 0f, y, outDim);

    static void Scale(Span<float> c, int m, int n, int ldc, float beta)
    {
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0) row.Clear(); else TensorPrimitives.Multiply(row, beta, row);
        }
    }

    // Managed fallback: each case walks memory contiguously and leans on TensorPrimitives' SIMD.
    static void Managed(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (transA)
        {   // Materialise Aᵀ once: the transposed cases are rare (backward passes) and this keeps one kernel per B layout.
            var at = new float[m * k];
            for (int p = 0; p < k; p++)
                for (int i = 0; i < m; i++) at[i * k + p] = a[p * lda + i];
            Managed(false, transB, m, n, k, alpha, at, k, b, ldb, beta, c, ldc);
            return;
        }
        Scale(c, m, n, ldc, beta);
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
        {
            var body = new ManagedRow { A = pa, B = pb, C = pc, Lda = lda, Ldb = ldb, Ldc = ldc, N = n, K = k, Alpha = alpha, TransB = transB };
            if ((long)m * n * k < 1 << 18) for (int i = 0; i < m; i++) body.Run(i);
            else Workers.For(m, ref body);
        }
    }

    /// <summary>Row i of the managed fallback's C += α·A·op(B).</summary>
    struct ManagedRow : IParallelBody
    {
        public float* A, B, C;
        public int Lda, Ldb, Ldc, N, K;
        public float Alpha;
        public bool TransB;

        public readonly void Run(int i)
        {
            var arow = new ReadOnlySpan<float>(A + (long)i * Lda, K);
            var crow = new Span<float>(C + (long)i * Ldc, N);
            if (TransB)
                for (int j = 0; j < N; j++) crow[j] += Alpha * TensorPrimitives.Dot(arow, new ReadOnlySpan<float>(B + (long)j * Ldb, K));
            else
                for (int p = 0; p < K; p++)
                {
                    float s = Alpha * arow[p];
                    if (s != 0) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(B + (long)p * Ldb, N), s, crow, crow);
                }
        }
    }
}
