using LayerSteer.Models;
using LayerSteer.Tensors;

namespace LayerSteer.Tests.Server;

/// <summary>Inference attention (the scheduler's and every decode's): a row's head outputs are bit-identical alone, beside other
/// rows, at another place in the batch, and close to the training path's softmax(q·Kᵀ)·V.</summary>
public class RowExactAttentionTests
{
    // heads, kv heads, head dim (20: the scalar tails), soft cap (Gemma 2), sliding window
    [Theory]
    [InlineData(6, 3, 32, null, null)]
    [InlineData(4, 2, 20, 30.0, 5)]
    [InlineData(2, 2, 8, null, null)]
    public void EachRowIsBitIdenticalAloneAndCloseToTheReference(int heads, int kvHeads, int d, double? softcap, int? window)
    {
        var att = new Attention(heads, kvHeads, d, 1 / Math.Sqrt(d), softcap, window);
        var rng = new Random(heads * 100 + d);
        int[] lengths = [1, 2, 7, 9, 40, 70];   // cached positions per sequence (1 = the first token alone)
        var ks = lengths.Select(n => R(rng, n * kvHeads * d, 2)).ToArray();
        var vs = lengths.Select(n => R(rng, n * kvHeads * d, 1)).ToArray();
        var qs = lengths.Select(_ => R(rng, heads * d, 2)).ToArray();

        float[] Run(int[] seqs, bool inference)
        {
            var caches = seqs.Select(s => new KvCache(1, kvHeads * d, lengths[s])).ToArray();
            for (int i = 0; i < seqs.Length; i++) caches[i].Append(0, ks[seqs[i]], vs[seqs[i]], lengths[seqs[i]]);
            var rows = new RowLayout(seqs.Select(_ => 1).ToArray(), seqs.Select(s => lengths[s] - 1).ToArray());
            var q = seqs.SelectMany(s => qs[s]).ToArray();
            var site = new float[seqs.Length * heads * d];
            att.Forward(q, rows, caches, 0, site, inference ? null : new Attention.Tape());   // a tape: the training path
            return site;
        }

        int w = heads * d;
        int[] all = [0, 1, 2, 3, 4, 5], shuffled = [4, 0, 5, 2, 1, 3];
        var together = Run(all, inference: true);
        var moved = Run(shuffled, inference: true);
        var reference = Run(all, inference: false);
        for (int s = 0; s < all.Length; s++)
        {
            var alone = Run([s], inference: true);
            Assert.Equal(alone, together.AsSpan(s * w, w).ToArray());
            Assert.Equal(alone, moved.AsSpan(Array.IndexOf(shuffled, s) * w, w).ToArray());
            for (int i = 0; i < w; i++) Assert.Equal(reference[s * w + i], alone[i], 1e-5f);
        }
    }

    static float[] R(Random rng, int n, float scale) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
}
