using System.Numerics.Tensors;
using LayerSteer.Models;
using LayerSteer.Tensors;

namespace LayerSteer.Testbed;

/// <summary>Language-model training on a batch of full sequences: mean next-token cross-entropy over every position,
/// with the gradient of every weight (embeddings, norms, projections, LM head tied or not) added to the parameters' Grad.
/// All sequences run as one batch of rows, so each linear map is one GEMM per layer.</summary>
public sealed class NextTokenLoss(TestbedModel net)
{
    KvCache[] _caches = [];

    /// <summary>Mean −log p(sequence[t+1] | sequence[..t]) over every t of every sequence; with <paramref name="withGrad"/>
    /// the gradients are added to (not overwriting) each parameter's Grad. The gradient is that of the sum over these rows
    /// divided by <paramref name="meanOver"/> (0: these rows' count), so the shards of one batch, each divided by the batch's
    /// count, add up to the batch's gradient.</summary>
    public double Evaluate(IReadOnlyList<int[]> sequences, bool withGrad, int meanOver = 0)
    {
        var m = net.Model;
        int L = m.Config.NumLayers, H = m.Hidden, V = m.Vocab, n = sequences.Count;
        var counts = sequences.Select(s => s.Length - 1).ToArray();
        if (counts.Any(c => c < 1)) throw new LayerSteerException("every training sequence needs at least two tokens");
        var rows = new RowLayout(counts, new int[n]);
        var inputs = new int[rows.Rows];
        var targets = new int[rows.Rows];
        for (int s = 0; s < n; s++)
            for (int t = 0; t < counts[s]; t++) { inputs[rows.Start[s] + t] = sequences[s][t]; targets[rows.Start[s] + t] = sequences[s][t + 1]; }

        if (_caches.Length != n) _caches = Enumerable.Range(0, n).Select(_ => m.NewCache(counts.Max())).ToArray();
        foreach (var c in _caches) c.Truncate(0);
        var x = m.Embed(inputs, rows);
        var tapes = withGrad ? new DecoderLayer.Tape[L] : null;
        m.RunLayers(x, rows, _caches, 0, L, tapes: tapes);
        var headTape = new OutputHead.Tape();
        var logits = m.Head.Forward(x, rows.Rows, withGrad ? headTape : null);

        // Softmax cross-entropy per row; the logits buffer becomes dlogits = (p − onehot)/meanOver in place.
        var rowLoss = new double[rows.Rows];
        float inv = 1f / (meanOver > 0 ? meanOver : rows.Rows);
        Parallel.For(0, rows.Rows, r =>
        {
            var z = logits.AsSpan(r * V, V);
            TensorPrimitives.Subtract(z, TensorPrimitives.Max(z), z);   // z − max: exp cannot overflow
            float target = z[targets[r]];
            TensorPrimitives.Exp(z, z);
            float sum = TensorPrimitives.Sum(z);
            rowLoss[r] = Math.Log(sum) - target;
            if (!withGrad) return;
            TensorPrimitives.Multiply(z, inv / sum, z);
            z[targets[r]] -= inv;
        });
        double loss = rowLoss.Sum() / rows.Rows;
        if (!withGrad) return loss;

        Gemm.Sgemm(true, false, V, H, rows.Rows, 1f, logits, V, headTape.Normed, H, 1f, net.Head.Grad, H);   // LM head: dW += dlogitsᵀ·normed
        var emb = net.Embedding.Grad;
        var dx = new float[rows.Rows * H];
        m.Head.Backward(logits, headTape, dx, rows.Rows);
        m.BackwardLayers(dx, rows, _caches, tapes!, 0, L);
        for (int r = 0; r < rows.Rows; r++)
        {
            var g = emb.AsSpan(inputs[r] * H, H);
            TensorPrimitives.Add(g, dx.AsSpan(r * H, H), g);
        }
        return loss;
    }
}
