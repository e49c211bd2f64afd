using System.Numerics.Tensors;
using LayerSteer.Models;
using LayerSteer.Training;

namespace LayerSteer.Intervention;

/// <summary>One attention head and its average causal indirect effect (CIE) on corrupted prompts.</summary>
public sealed record HeadEffect(int Layer, int Head, double Cie)
{
    public override string ToString() => $"L{Layer}H{Head}";
}

/// <summary>An extracted function vector: the vector [hidden], its top heads, every head's mean CIE [layer, head]
/// and the mean last-token head outputs [layer][site width] it was built from.</summary>
public sealed record FunctionVectorFit(float[] Vector, HeadEffect[] Heads, double[,] Cie, float[][] Means);

/// <summary>Function vectors (Todd et al., 2024), on token ids: the mean last-token output of every head over clean
/// few-shot prompts; each head's causal indirect effect (the mean patched into that head alone, at the last token of
/// prompts whose demonstration labels are shuffled, raises p(correct first token) by how much); the FV is the sum of the
/// top-k heads' means through o_proj. It is added to the residual stream after one layer.</summary>
public static class FunctionVector
{
    public static FunctionVectorFit Extract(Transformer model, IReadOnlyList<int[]> clean, IReadOnlyList<int[]> corrupted, IReadOnlyList<int> targets, int k)
    {
        CheckHeadCount(k);   // before the CIE pass, which is the expensive part
        var means = MeanHeadOutputs(model, clean);
        var cie = IndirectEffects(model, means, corrupted, targets);
        var heads = TopHeads(cie, k);
        return new FunctionVectorFit(Vector(model, means, heads), heads, cie, means);
    }

    /// <summary>Mean over prompts of each layer's site (all heads' outputs) at the prompt's last token: [layer][site width].</summary>
    public static float[][] MeanHeadOutputs(Transformer model, IReadOnlyList<int[]> prompts)
    {
        if (prompts.Count == 0) throw new LayerSteerException("function vector: no prompts to average head outputs over");
        var sums = Enumerable.Range(0, model.Config.NumLayers).Select(_ => new float[model.Config.SiteWidth]).ToArray();
        model.Prefill(prompts, prompts.Select(p => model.NewCache(p.Length)).ToArray(), new LastTokenSum(sums));
        foreach (var s in sums) TensorPrimitives.Divide(s, prompts.Count, s);
        return sums;
    }

    /// <summary>CIE [layer, head]: mean over corrupted prompts of p(target | head's mean patched in at the last token) −
    /// p(target | unpatched). Each prompt's prefix runs once into a KV cache; per head only the last token is recomputed,
    /// from the patched layer up (the layers below it cannot change), batched over prompts.</summary>
    public static double[,] IndirectEffects(Transformer model, float[][] means, IReadOnlyList<int[]> corrupted, IReadOnlyList<int> targets)
    {
        int L = model.Config.NumLayers, H = model.Config.NumHeads, P = corrupted.Count;
        if (P == 0 || targets.Count != P) throw new LayerSteerException("function vector: need one target token per corrupted prompt");
        if (corrupted.Any(p => p.Length < 2)) throw new LayerSteerException("function vector: corrupted prompts need at least 2 tokens");
        var caches = corrupted.Select(p => model.NewCache(p.Length)).ToArray();
        model.Prefill(corrupted.Select(p => p[..^1]).ToArray(), caches);
        var lengths = corrupted.Select(p => p.Length).ToArray();
        var rows = new RowLayout(Enumerable.Repeat(1, P).ToArray(), lengths.Select(n => n - 1).ToArray());
        var all = Enumerable.Range(0, P).ToArray();

        // Unpatched last token, keeping the residual that enters every layer.
        var into = new float[L][];
        var x = model.Embed(corrupted.Select(p => p[^1]).ToArray(), rows);
        into[0] = (float[])x.Clone();
        model.RunLayers(x, rows, caches, 0, L, new ResidualRecorder(into));
        var clean = Probabilities(model, model.Logits(x, all), targets);

        var cie = new double[L, H];
        for (int l = 0; l < L; l++)
            for (int h = 0; h < H; h++)
            {
                foreach (var c in caches) c.Truncate(c.Length - 1, l);   // forget the last token from layer l up
                var xl = (float[])into[l].Clone();
                model.RunLayers(xl, rows, caches, l, L, new HeadPatch(l, h, model.Config.HeadDim, means[l], lengths));
                var p = Probabilities(model, model.Logits(xl, all), targets);
                cie[l, h] = p.Zip(clean, (a, b) => a - b).Average();
            }
        return cie;
    }

    /// <summary>The k heads of highest mean CIE (k capped at the number of heads), best first; ties keep (layer, head) order.</summary>
    public static HeadEffect[] TopHeads(double[,] cie, int k)
    {
        CheckHeadCount(k);
        int L = cie.GetLength(0), H = cie.GetLength(1);
        return Enumerable.Range(0, L * H).Select(i => new HeadEffect(i / H, i % H, cie[i / H, i % H]))
            .OrderByDescending(e => e.Cie).Take(Math.Min(k, L * H)).ToArray();
    }

    static void CheckHeadCount(int k)
    {
        if (k < 0) throw new LayerSteerException($"function vector: the number of heads (--heads, --fv-heads) must be ≥ 0 (got {k})");
    }

    /// <summary>FV = Σ over heads of W_O · (that head's mean, every other head zero), without o_proj's bias (<see cref="OProjImage"/>).</summary>
    public static float[] Vector(Transformer model, float[][] means, IReadOnlyList<HeadEffect> heads)
    {
        int hd = model.Config.HeadDim;
        var fv = new float[model.Hidden];
        foreach (var g in heads.GroupBy(e => e.Layer))
        {
            var masked = new float[model.Config.SiteWidth];
            foreach (var e in g) means[e.Layer].AsSpan(e.Head * hd, hd).CopyTo(masked.AsSpan(e.Head * hd, hd));
            TensorPrimitives.Add(fv, OProjImage.Of(model.Layers[g.Key], masked), fv);
        }
        return fv;
    }

    /// <summary>Inference with an FV: added to the residual after <paramref name="layer"/> at the last prompt token (and, for
    /// <see cref="ApplyMode.All"/>, at every generated token; the rule of <see cref="SiteAddition.Applies"/>).</summary>
    public static Steering Steering(int layer, float[] fv, ApplyMode mode) => Intervention.Steering.Add([new Addition(layer, fv, 1f, mode, VectorSite.BlockOutput)])!;

    static double[] Probabilities(Transformer model, float[] logits, IReadOnlyList<int> targets)
    {
        var d = new float[model.Vocab];
        return targets.Select((t, i) => Math.Exp(-TaskLoss.SoftmaxNll(logits.AsSpan(i * model.Vocab, model.Vocab), t, d))).ToArray();
    }

    /// <summary>Sums each layer's site at the last row of every sequence.</summary>
    sealed class LastTokenSum(float[][] sums) : IActivationHook
    {
        public void AtSite(int layer, Span<float> site, RowLayout rows)
        {
            int w = sums[layer].Length;
            foreach (int r in rows.LastRows) TensorPrimitives.Add(sums[layer], site.Slice(r * w, w), sums[layer]);
        }
    }

    /// <summary>Keeps the residual after each layer as the input of the next.</summary>
    sealed class ResidualRecorder(float[][] into) : IActivationHook
    {
        public void AfterLayer(int layer, Span<float> residual, RowLayout rows)
        {
            if (layer + 1 < into.Length) into[layer + 1] = residual.ToArray();
        }
    }

    /// <summary>Replaces one head's output with its mean at the last prompt token.</summary>
    sealed class HeadPatch(int layer, int head, int headDim, float[] mean, IReadOnlyList<int> promptLengths) : IActivationHook
    {
        public void AtSite(int l, Span<float> site, RowLayout rows)
        {
            if (l != layer) return;
            int w = mean.Length;
            for (int r = 0; r < rows.Rows; r++)
                if (SiteAddition.Applies(ApplyMode.Last, rows.Pos[r], promptLengths[rows.Seq[r]]))
                    mean.AsSpan(head * headDim, headDim).CopyTo(site.Slice(r * w + head * headDim, headDim));
        }
    }
}
