using LayerSteer.Tensors;

namespace LayerSteer.Models;

/// <summary>One transformer block, split at the intervention site (the o_proj input) into two halves:
/// <c>ToSite</c>: x → norm → q,k,v → RoPE → attention → site, and
/// <c>FromSite</c>: site → o_proj → (+x) → norm → MLP → (+) → out.
/// Each half has its backward beside it. Gemma 2's sandwich norms are the optional PostAttnNorm/PostMlpNorm.</summary>
public sealed class DecoderLayer
{
    public required int Index { get; init; }
    public required int HeadDim { get; init; }
    public required Norm AttnNorm { get; init; }
    public required ILinear Q { get; init; }
    public required ILinear K { get; init; }
    public required ILinear V { get; init; }
    public required ILinear O { get; init; }
    public required Attention Attention { get; init; }
    public Rope? Rope { get; init; }
    public Norm? PostAttnNorm { get; init; }
    public required Norm MlpNorm { get; init; }
    public required Mlp Mlp { get; init; }
    public Norm? PostMlpNorm { get; init; }

    /// <summary>This layer with some linear maps replaced (adapters around them); norms and attention are shared.</summary>
    public DecoderLayer With(ILinear? q = null, ILinear? k = null, ILinear? v = null, Mlp? mlp = null) => new()
    {
        Index = Index, HeadDim = HeadDim, AttnNorm = AttnNorm, Q = q ?? Q, K = k ?? K, V = v ?? V, O = O, Attention = Attention,
        Rope = Rope, PostAttnNorm = PostAttnNorm, MlpNorm = MlpNorm, Mlp = mlp ?? Mlp, PostMlpNorm = PostMlpNorm,
    };

    int Hidden => Q.In;
    int SiteWidth => Q.Out;
    int KvDim => K.Out;

    /// <summary>Everything backward needs from one forward pass of this layer.</summary>
    public sealed class Tape
    {
        // like llm.c's activations: ln1 = the attention norm, ln2 = the MLP norm; rstd = 1/σ per row, mean only for LayerNorm
        public float[] Input = [], Ln1 = [], Ln1Rstd = [], Queries = [];
        public float[]? Ln1Mean;
        public Attention.Tape Attn = new();
        public float[] Site = [], AttnOut = [], PostAttnRstd = [], Residual2 = [], Ln2Rstd = [], Ln2 = [], MlpOut = [], PostMlpRstd = [];
        public float[]? PostAttnMean, Ln2Mean, PostMlpMean;
        public Mlp.Tape Mlp = new();
    }

    static float[]? MeanBuf(Norm n, int rows) => n.Kind == NormKind.Layer ? new float[rows] : null;

    // ---------------------------------------------------------------- x → site
    /// <summary>Appends this layer's keys/values for the rows to their caches and writes the head outputs to <paramref name="site"/>.</summary>
    public void ForwardToSite(ReadOnlySpan<float> x, RowLayout rows, KvCache[] caches, Span<float> site, Tape? tape)
    {
        int n = rows.Rows;
        var ln1 = new float[n * Hidden];
        var ln1Rstd = new float[n];
        var ln1Mean = MeanBuf(AttnNorm, n);
        AttnNorm.Forward(x, ln1, n, ln1Rstd, ln1Mean);
        var q = new float[n * SiteWidth];
        var k = new float[n * KvDim];
        var v = new float[n * KvDim];
        Q.Forward(ln1, q, n); K.Forward(ln1, k, n); V.Forward(ln1, v, n);
        if (Rope != null) RotateRows(q, k, rows, inverse: false);
        for (int s = 0; s < rows.Sequences; s++)
        {
            if (rows.Count[s] == 0) continue;
            var cache = caches[s];
            if (cache.LayerLength[Index] != rows.Pos[rows.Start[s]])
                throw new InvalidOperationException($"layer {Index}: cache holds {cache.LayerLength[Index]} tokens but rows start at {rows.Pos[rows.Start[s]]}");
            cache.Append(Index, k.AsSpan(rows.Start[s] * KvDim), v.AsSpan(rows.Start[s] * KvDim), rows.Count[s]);
        }
        Attention.Forward(q, rows, caches, Index, site, tape?.Attn);
        if (tape != null) { tape.Input = x.ToArray(); tape.Ln1 = ln1; tape.Ln1Rstd = ln1Rstd; tape.Ln1Mean = ln1Mean; tape.Queries = q; }
    }

    /// <summary>dx += ∂/∂x from dsite; keys/values of the new rows carry gradient, cached prefix keys do not.</summary>
    public void BackwardToSite(ReadOnlySpan<float> dsite, RowLayout rows, KvCache[] caches, Tape tape, Span<float> dx)
    {
        int n = rows.Rows;
        var dq = new float[n * SiteWidth];
        var dk = new float[n * KvDim];
        var dv = new float[n * KvDim];
        Attention.Backward(dsite, tape.Queries, rows, caches, Index, tape.Attn, dq, dk, dv);
        if (Rope != null) RotateRows(dq, dk, rows, inverse: true);
        var dln1 = new float[n * Hidden];
        Q.Backward(dq, tape.Ln1, dln1, n); K.Backward(dk, tape.Ln1, dln1, n); V.Backward(dv, tape.Ln1, dln1, n);
        AttnNorm.Backward(dln1, tape.Input, tape.Ln1Rstd, tape.Ln1Mean, dx, n);
    }

    void RotateRows(Span<float> q, Span<float> k, RowLayout rows, bool inverse)
    {
        int half = HeadDim / 2;
        Span<float> cos = stackalloc float[half], sin = stackalloc float[half];
        for (int r = 0; r < rows.Rows; r++)
        {
            Rope!.Angles(rows.Pos[r], cos, sin);
            Rope.Rotate(q.Slice(r * SiteWidth, SiteWidth), SiteWidth / HeadDim, cos, sin, inverse);
            Rope.Rotate(k.Slice(r * KvDim, KvDim), KvDim / HeadDim, cos, sin, inverse);
        }
    }

    // ---------------------------------------------------------------- site → out
    /// <summary>x (the residual, [rows, hidden]) becomes the layer output, given the (possibly steered) site.</summary>
    public void ForwardFromSite(ReadOnlySpan<float> site, Span<float> x, int rows, Tape? tape)
    {
        var attnOut = new float[rows * Hidden];
        O.Forward(site, attnOut, rows);
        var attnBranch = attnOut;   // Gemma's sandwich norm normalises the branch before the residual add
        float[]? postAttnRstd = null, postAttnMean = null;
        if (PostAttnNorm != null)
        {
            attnBranch = new float[attnOut.Length]; postAttnRstd = new float[rows]; postAttnMean = MeanBuf(PostAttnNorm, rows);
            PostAttnNorm.Forward(attnOut, attnBranch, rows, postAttnRstd, postAttnMean);
        }
        var residual2 = new float[rows * Hidden];
        for (int i = 0; i < residual2.Length; i++) residual2[i] = x[i] + attnBranch[i];
        var ln2 = new float[residual2.Length];
        var ln2Rstd = new float[rows];
        var ln2Mean = MeanBuf(MlpNorm, rows);
        MlpNorm.Forward(residual2, ln2, rows, ln2Rstd, ln2Mean);
        var mlpOut = new float[residual2.Length];
        var mlpTape = tape != null ? new Mlp.Tape() : null;
        Mlp.Forward(ln2, mlpOut, rows, mlpTape);
        var mlpBranch = mlpOut;
        float[]? postMlpRstd = null, postMlpMean = null;
        if (PostMlpNorm != null)
        {
            mlpBranch = new float[mlpOut.Length]; postMlpRstd = new float[rows]; postMlpMean = MeanBuf(PostMlpNorm, rows);
            PostMlpNorm.Forward(mlpOut, mlpBranch, rows, postMlpRstd, postMlpMean);
        }
        for (int i = 0; i < residual2.Length; i++) x[i] = residual2[i] + mlpBranch[i];
        if (tape != null)
        {
            tape.Site = site.ToArray(); tape.AttnOut = attnOut; tape.PostAttnRstd = postAttnRstd ?? []; tape.PostAttnMean = postAttnMean;
            tape.Residual2 = residual2; tape.Ln2Rstd = ln2Rstd; tape.Ln2Mean = ln2Mean; tape.Ln2 = ln2; tape.Mlp = mlpTape!;
            tape.MlpOut = mlpOut; tape.PostMlpRstd = postMlpRstd ?? []; tape.PostMlpMean = postMlpMean;
        }
    }

    /// <summary>Given dx = ∂L/∂out, returns ∂L/∂site in <paramref name="dsite"/> and leaves in dx the gradient
    /// that reaches the residual input through the skip connections (attention's own path is added by BackwardToSite).</summary>
    public void BackwardFromSite(Span<float> dx, Span<float> dsite, int rows, Tape tape)
    {
        var dmlpOut = dx.ToArray();
        if (PostMlpNorm != null)
        {
            var dPre = new float[dmlpOut.Length];
            PostMlpNorm.Backward(dmlpOut, tape.MlpOut, tape.PostMlpRstd, tape.PostMlpMean, dPre, rows);
            dmlpOut = dPre;
        }
        var dln2 = new float[dmlpOut.Length];
        Mlp.Backward(dmlpOut, tape.Ln2, dln2, rows, tape.Mlp);
        MlpNorm.Backward(dln2, tape.Residual2, tape.Ln2Rstd, tape.Ln2Mean, dx, rows);   // dx now holds ∂L/∂residual2
        ReadOnlySpan<float> dattnOut = dx;
        if (PostAttnNorm != null)
        {
            var dPre = new float[dx.Length];
            PostAttnNorm.Backward(dx, tape.AttnOut, tape.PostAttnRstd, tape.PostAttnMean, dPre, rows);
            dattnOut = dPre;
        }
        dsite.Clear();
        O.Backward(dattnOut, tape.Site, dsite, rows);
    }
}
