using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using LayerSteer.Tensors;

namespace LayerSteer.Models;

/// <summary>Causal multi-head attention with grouped KV heads over cached keys/values: new rows (queries)
/// attend to every cached position up to their own. Forward and backward side by side.</summary>
public sealed unsafe class Attention
{
    readonly int _heads, _kvHeads, _d;
    readonly float _scale;
    readonly float? _softcap;
    readonly int? _window;

    public Attention(int heads, int kvHeads, int headDim, double scale, double? softcap, int? window)
    {
        (_heads, _kvHeads, _d, _scale) = (heads, kvHeads, headDim, (float)scale);
        _softcap = softcap is double c ? (float)c : null;
        _window = window;
    }

    /// <summary>Saved softmax weights (and soft-capped scores) per row, for backward; reused from step to step.</summary>
    public sealed class Tape
    {
        public float[][] Probs = [];   // [row][head * keys + j]
        public float[][]? Capped;      // soft-capped scores, same layout (Gemma 2)
        public int[] First = [];       // first attended key position per row
    }

    int FirstKey(int pos) => _window is int w ? Math.Max(0, pos - w + 1) : 0;

    // The most keys a row attends over (what the parallel fan-out weighs the work by).
    static int KeysUpTo(RowLayout rows) => rows.Pos.Length > 0 ? rows.Pos.Max() + 1 : 1;

    /// <summary>site[r] = softmax(q[r]·Kᵀ·scale)·V per head, keys/values read from each row's sequence cache at this layer.</summary>
    public void Forward(ReadOnlySpan<float> q, RowLayout rows, KvCache[] caches, int layer, Span<float> site, Tape? tape)
    {
        if (tape == null) { ForwardInference(q, rows, caches, layer, site); return; }
        // The training path: a tape always, so backward has each row's softmax weights.
        int qd = _heads * _d;
        if (tape.Probs.Length != rows.Rows) tape.Probs = new float[rows.Rows][];
        if (_softcap != null && tape.Capped?.Length != rows.Rows) tape.Capped = new float[rows.Rows][];
        Buffers.Sized(ref tape.First, rows.Rows);
        site[..(rows.Rows * qd)].Clear();   // each head's output is summed into it
        fixed (float* pq = q) fixed (float* ps = site)
        {
            var body = new RowBody { Self = this, Q = pq, S = ps, Rows = rows, Caches = caches, Layer = layer, Tape = tape };
            long work = (long)rows.Rows * _heads * KeysUpTo(rows) * _d;
            if (work < 1 << 16) for (int r = 0; r < rows.Rows; r++) body.Run(r);
            else Workers.For(rows.Rows, ref body);
        }
    }

    /// <summary>One row's attention, training path (with a tape) or inference; a struct so the parallel loop allocates nothing.</summary>
    struct RowBody : IParallelBody
    {
        public Attention Self;
        public float* Q, S;
        public RowLayout Rows;
        public KvCache[] Caches;
        public int Layer;
        public Tape? Tape;

        public readonly void Run(int r)
        {
            if (Tape != null) Self.TrainingRow(r, Q, S, Rows, Caches, Layer, Tape);
            else Self.InferenceRow(r, Q, S, Rows, Caches, Layer);
        }
    }

    // The training path's row: one TensorPrimitives call per key, its softmax weights (and capped scores) kept for backward.
    void TrainingRow(int r, float* q, float* site, RowLayout rows, KvCache[] caches, int layer, Tape tape)
    {
        int qd = _heads * _d, kvd = _kvHeads * _d, group = _heads / _kvHeads;
        var cache = caches[rows.Seq[r]];
        int pos = rows.Pos[r], first = FirstKey(pos), n = pos - first + 1;
        var probs = Buffers.Sized(ref tape.Probs[r], _heads * n);
        float[]? capped = _softcap != null ? Buffers.Sized(ref tape.Capped![r], _heads * n) : null;
        var K = cache.K[layer]; var V = cache.V[layer];
        for (int h = 0; h < _heads; h++)
        {
            var qh = new ReadOnlySpan<float>(q + (long)r * qd + h * _d, _d);
            int kvOff = (h / group) * _d;
            var p = probs.AsSpan(h * n, n);
            for (int j = 0; j < n; j++)
                p[j] = TensorPrimitives.Dot(qh, K.AsSpan((first + j) * kvd + kvOff, _d)) * _scale;
            if (_softcap is float cap)
            {
                for (int j = 0; j < n; j++) p[j] = cap * MathF.Tanh(p[j] / cap);
                p.CopyTo(capped.AsSpan(h * n, n));
            }
            TensorPrimitives.Subtract(p, TensorPrimitives.Max(p), p);   // TensorPrimitives.SoftMax does not subtract the max: exp overflows past ~88
            TensorPrimitives.SoftMax(p, p);
            var o = new Span<float>(site + (long)r * qd + h * _d, _d);
            for (int j = 0; j < n; j++) TensorPrimitives.MultiplyAdd(V.AsSpan((first + j) * kvd + kvOff, _d), p[j], o, o);
        }
        tape.First[r] = first;
    }

    /// <summary>Inference (no tape): blocked kernels without per-call allocations, 2–3× faster than the training path's one
    /// TensorPrimitives call per key — a decode step runs this for every row, head and layer. For the batch scheduler, like
    /// <see cref="RowExactGemm"/>, every sum here has one fixed order — a score is 8-lane FMAs from index 0, a fixed lane
    /// reduction and a scalar FMA tail; the softmax sum and each output element are chains over the keys, even and odd keys apart, then added — so a row's numbers depend only on its own
    /// query and cache, never on the batch or on buffer alignment (TensorPrimitives' reductions align to the buffer).</summary>
    void ForwardInference(ReadOnlySpan<float> q, RowLayout rows, KvCache[] caches, int layer, Span<float> site)
    {
        fixed (float* pq = q) fixed (float* ps = site)
        {
            var body = new RowBody { Self = this, Q = pq, S = ps, Rows = rows, Caches = caches, Layer = layer };
            // q·k and p·v for every head and key: the multiply-adds the fan-out rule weighs.
            RowExactGemm.Spread(rows.Rows, 2L * rows.Rows * _heads * KeysUpTo(rows) * _d, ref body);
        }
    }

    void InferenceRow(int r, float* q, float* site, RowLayout rows, KvCache[] caches, int layer)
    {
        int qd = _heads * _d, kvd = _kvHeads * _d, group = _heads / _kvHeads;
        int pos = rows.Pos[r], first = FirstKey(pos), n = pos - first + 1;
        var cache = caches[rows.Seq[r]];
        // The row's scores on the stack (an array pool would allocate whenever n first reaches a larger bucket).
        Span<float> scores = n <= StackKeys ? stackalloc float[n] : LongRow(n);
        fixed (float* pk = cache.K[layer]) fixed (float* pv = cache.V[layer]) fixed (float* p = scores)
            for (int h = 0; h < _heads; h++)
            {
                long kvOff = (long)first * kvd + (h / group) * _d;
                Scores(q + (long)r * qd + h * _d, pk + kvOff, kvd, n, p);
                float sum = ExpShifted(p, n);
                Mix(p, n, pv + kvOff, kvd, 1f / sum, site + (long)r * qd + h * _d);
            }
    }

    // Up to this many keys a row's scores live on the stack (16 KiB); longer rows use a per-thread buffer that only grows.
    const int StackKeys = 4096;
    [ThreadStatic] static float[]? _longRow;
    static float[] LongRow(int n) => _longRow is { } b && b.Length >= n ? b : _longRow = new float[Math.Max(n, 2 * (_longRow?.Length ?? 0))];

    // p[j] = (q·k_j)·scale (soft-capped); four keys at a time keep the FMA units busy (each key's chain is the same alone).
    void Scores(float* q, float* k, int stride, int n, float* p)
    {
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            float* k0 = k + (long)j * stride, k1 = k0 + stride, k2 = k1 + stride, k3 = k2 + stride;
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            int c = 0;
            for (; c + 8 <= _d; c += 8)
            {
                var qc = Vector256.Load(q + c);
                a0 = Vector256.FusedMultiplyAdd(qc, Vector256.Load(k0 + c), a0);
                a1 = Vector256.FusedMultiplyAdd(qc, Vector256.Load(k1 + c), a1);
                a2 = Vector256.FusedMultiplyAdd(qc, Vector256.Load(k2 + c), a2);
                a3 = Vector256.FusedMultiplyAdd(qc, Vector256.Load(k3 + c), a3);
            }
            p[j] = Tail(q, k0, c, Vector256.Sum(a0));
            p[j + 1] = Tail(q, k1, c, Vector256.Sum(a1));
            p[j + 2] = Tail(q, k2, c, Vector256.Sum(a2));
            p[j + 3] = Tail(q, k3, c, Vector256.Sum(a3));
        }
        for (; j < n; j++)
        {
            float* kj = k + (long)j * stride;
            Vector256<float> a = default;
            int c = 0;
            for (; c + 8 <= _d; c += 8) a = Vector256.FusedMultiplyAdd(Vector256.Load(q + c), Vector256.Load(kj + c), a);
            p[j] = Tail(q, kj, c, Vector256.Sum(a));
        }
        var s = new Span<float>(p, n);
        TensorPrimitives.Multiply(s, _scale, s);   // elementwise: each value alone, wherever it sits
        if (_softcap is float cap) for (j = 0; j < n; j++) p[j] = cap * MathF.Tanh(p[j] / cap);
    }

    float Tail(float* q, float* k, int c, float acc)
    {
        for (; c < _d; c++) acc = MathF.FusedMultiplyAdd(q[c], k[c], acc);
        return acc;
    }

    // In place p ← exp(p − max p); returns Σ p (even and odd keys summed apart, then added).
    static float ExpShifted(float* p, int n)
    {
        var s = new Span<float>(p, n);
        TensorPrimitives.Subtract(s, TensorPrimitives.Max(s), s);
        TensorPrimitives.Exp(s, s);
        float even = 0, odd = 0;
        int j = 0;
        for (; j + 2 <= n; j += 2) { even += p[j]; odd += p[j + 1]; }
        if (j < n) even += p[j];
        return even + odd;
    }

    // o[c] = (Σ_j p[j]·v_j[c])·inv, each element two chains over the keys in order (even, odd) added at the end.
    void Mix(float* p, int n, float* v, int stride, float inv, float* o)
    {
        var scale = Vector256.Create(inv);
        int c = 0;
        for (; c + 16 <= _d; c += 16)
        {
            Vector256<float> e0 = default, e1 = default, o0 = default, o1 = default;
            float* vj = v + c;
            int j = 0;
            for (; j + 2 <= n; j += 2, vj += 2L * stride)
            {
                var pe = Vector256.Create(p[j]); var po = Vector256.Create(p[j + 1]);
                e0 = Vector256.FusedMultiplyAdd(pe, Vector256.Load(vj), e0);
                e1 = Vector256.FusedMultiplyAdd(pe, Vector256.Load(vj + 8), e1);
                o0 = Vector256.FusedMultiplyAdd(po, Vector256.Load(vj + stride), o0);
                o1 = Vector256.FusedMultiplyAdd(po, Vector256.Load(vj + stride + 8), o1);
            }
            if (j < n)
            {
                var pe = Vector256.Create(p[j]);
                e0 = Vector256.FusedMultiplyAdd(pe, Vector256.Load(vj), e0);
                e1 = Vector256.FusedMultiplyAdd(pe, Vector256.Load(vj + 8), e1);
            }
            ((e0 + o0) * scale).Store(o + c);
            ((e1 + o1) * scale).Store(o + c + 8);
        }
        for (; c < _d; c++)
        {
            float even = 0, odd = 0;
            int j = 0;
            for (; j + 2 <= n; j += 2)
            {
                even = MathF.FusedMultiplyAdd(p[j], v[(long)j * stride + c], even);
                odd = MathF.FusedMultiplyAdd(p[j + 1], v[(long)(j + 1) * stride + c], odd);
            }
            if (j < n) even = MathF.FusedMultiplyAdd(p[j], v[(long)j * stride + c], even);
            o[c] = (even + odd) * inv;
        }
    }

    /// <summary>Given dsite, returns dq (rows), and accumulates dK/dV into the new rows' key/value gradients.
    /// Cached keys before a sequence's first new row are constants and get no gradient.</summary>
    public void Backward(ReadOnlySpan<float> dsite, ReadOnlySpan<float> q, RowLayout rows, KvCache[] caches, int layer, Tape tape,
        Span<float> dq, Span<float> dkNew, Span<float> dvNew)
    {
        int qd = _heads * _d, kvd = _kvHeads * _d, group = _heads / _kvHeads;
        for (int r = 0; r < rows.Rows; r++)
        {
            int s = rows.Seq[r], pos = rows.Pos[r], first = tape.First[r], n = pos - first + 1;
            int newStartPos = rows.Pos[rows.Start[s]], newStartRow = rows.Start[s];
            var K = caches[s].K[layer]; var V = caches[s].V[layer];
            var pooled = ArrayPool<float>.Shared.Rent(n);
            var dp = pooled.AsSpan(0, n);
            for (int h = 0; h < _heads; h++)
            {
                var p = tape.Probs[r].AsSpan(h * n, n);
                var dout = dsite.Slice(r * qd + h * _d, _d);
                var qh = q.Slice(r * qd + h * _d, _d);
                var dqh = dq.Slice(r * qd + h * _d, _d);
                int kvOff = (h / group) * _d;
                for (int j = 0; j < n; j++) dp[j] = TensorPrimitives.Dot(dout, V.AsSpan((first + j) * kvd + kvOff, _d));
                float pdp = TensorPrimitives.Dot(p, dp);
                for (int j = 0; j < n; j++)
                {
                    float ds = p[j] * (dp[j] - pdp);                       // softmax backward
                    if (_softcap is float cap) { float c = tape.Capped![r][h * n + j] / cap; ds *= 1 - c * c; }
                    ds *= _scale;
                    int key = first + j;
                    TensorPrimitives.MultiplyAdd(K.AsSpan(key * kvd + kvOff, _d), ds, dqh, dqh);
                    if (key < newStartPos) continue;                         // prefix key: constant
                    int kr = newStartRow + (key - newStartPos);
                    var dk = dkNew.Slice(kr * kvd + kvOff, _d);
                    TensorPrimitives.MultiplyAdd(qh, ds, dk, dk);
                    var dv = dvNew.Slice(kr * kvd + kvOff, _d);
                    TensorPrimitives.MultiplyAdd(dout, p[j], dv, dv);
                }
            }
            ArrayPool<float>.Shared.Return(pooled);
        }
    }
}
