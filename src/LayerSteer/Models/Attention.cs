using System.Numerics.Tensors;

namespace LayerSteer.Models;

/// <summary>Causal multi-head attention with grouped KV heads over cached keys/values: new rows (queries)
/// attend to every cached position up to their own. Forward and backward side by side.</summary>
public sealed class Attention
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

    /// <summary>Saved softmax weights (and soft-capped scores) per row, for backward.</summary>
    public sealed class Tape
    {
        public float[][] Probs = [];   // [row][head * keys + j]
        public float[][]? Capped;      // soft-capped scores, same layout (Gemma 2)
        public int[] First = [];       // first attended key position per row
    }

    int FirstKey(int pos) => _window is int w ? Math.Max(0, pos - w + 1) : 0;

    /// <summary>site[r] = softmax(q[r]·Kᵀ·scale)·V per head, keys/values read from each row's sequence cache at this layer.</summary>
    public void Forward(ReadOnlySpan<float> q, RowLayout rows, KvCache[] caches, int layer, Span<float> site, Tape? tape)
    {
        int qd = _heads * _d, kvd = _kvHeads * _d, group = _heads / _kvHeads;
        if (tape != null) { tape.Probs = new float[rows.Rows][]; tape.First = new int[rows.Rows]; if (_softcap != null) tape.Capped = new float[rows.Rows][]; }
        var qa = q.ToArray();
        var outArr = new float[rows.Rows * qd];
        void Row(int r)
        {
            var cache = caches[rows.Seq[r]];
            int pos = rows.Pos[r], first = FirstKey(pos), n = pos - first + 1;
            var probs = new float[_heads * n];
            float[]? capped = _softcap != null ? new float[_heads * n] : null;
            var K = cache.K[layer]; var V = cache.V[layer];
            for (int h = 0; h < _heads; h++)
            {
                var qh = qa.AsSpan(r * qd + h * _d, _d);
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
                var o = outArr.AsSpan(r * qd + h * _d, _d);
                for (int j = 0; j < n; j++) TensorPrimitives.MultiplyAdd(V.AsSpan((first + j) * kvd + kvOff, _d), p[j], o, o);
            }
            if (tape != null) { tape.Probs[r] = probs; tape.First[r] = first; if (capped != null) tape.Capped![r] = capped; }
        }
        long work = (long)rows.Rows * _heads * (rows.Pos.Length > 0 ? rows.Pos.Max() + 1 : 1) * _d;
        if (work < 1 << 16) for (int r = 0; r < rows.Rows; r++) Row(r);
        else Parallel.For(0, rows.Rows, Row);
        outArr.CopyTo(site);
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
            var dp = new float[n];
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
        }
    }
}
