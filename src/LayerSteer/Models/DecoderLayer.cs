using LayerSteer.Tensors;

namespace LayerSteer.Models;

/// <summary>One transformer block, split at the intervention site (the o_proj input) into two halves:
/// <c>ToSite</c>: x → norm → q,k,v → (q/k norm) → RoPE → attention → site, and
/// <c>FromSite</c>: site → o_proj → (norm) → (+x) → norm → MLP → (norm) → (+) → out.
/// Each half has its backward beside it. Optional pieces, each null when a family lacks it: the pre-norms AttnNorm and
/// MlpNorm (OLMo 2 has neither), the branch-output norms PostAttnNorm/PostMlpNorm (Gemma 2/3 sandwich, OLMo 2),
/// QNorm/KNorm on q and k before RoPE (Qwen 3, Gemma 3: per head; OLMo 2: over the whole projection), and RoPE itself (GPT-2).</summary>
public sealed record DecoderLayer
{
    public required int Index { get; init; }
    public required int HeadDim { get; init; }
    public Norm? AttnNorm { get; init; }
    public required ILinear Q { get; init; }
    public required ILinear K { get; init; }
    public required ILinear V { get; init; }
    public required ILinear O { get; init; }
    /// <summary>RMSNorm of q and of k before RoPE: its width is head_dim (each head normalised alone) or the whole projection.</summary>
    public Norm? QNorm { get; init; }
    public Norm? KNorm { get; init; }
    public required Attention Attention { get; init; }
    /// <summary>This layer's RoPE (Gemma 3's local and global layers differ in base and scaling).</summary>
    public Rope? Rope { get; init; }
    public Norm? PostAttnNorm { get; init; }
    public Norm? MlpNorm { get; init; }
    public required Mlp Mlp { get; init; }
    public Norm? PostMlpNorm { get; init; }

    /// <summary>This layer with some linear maps replaced (adapters around them); norms and attention are shared.</summary>
    public DecoderLayer With(ILinear? q = null, ILinear? k = null, ILinear? v = null, Mlp? mlp = null) =>
        this with { Q = q ?? Q, K = k ?? K, V = v ?? V, Mlp = mlp ?? Mlp };

    int Hidden => Q.In;
    int SiteWidth => Q.Out;
    int KvDim => K.Out;

    /// <summary>Everything backward needs from one forward pass of this layer.</summary>
    public sealed class Tape
    {
        // like llm.c's activations: ln1 = the attention norm, ln2 = the MLP norm; rstd = 1/σ per row, mean only for LayerNorm
        public float[] Input = [], Ln1 = [], Ln1Rstd = [], Queries = [];
        public float[]? Ln1Mean;
        public NormTape? QPreNorm, KPreNorm;   // q and k before their norms (Qwen 3, Gemma 3, OLMo 2)
        public Attention.Tape Attn = new();
        public float[] Site = [], AttnOut = [], PostAttnRstd = [], Residual2 = [], Ln2Rstd = [], Ln2 = [], MlpOut = [], PostMlpRstd = [];
        public float[]? PostAttnMean, Ln2Mean, PostMlpMean;
        public Mlp.Tape Mlp = new();
    }

    static float[]? MeanBuf(Norm n, int rows) => n.Kind == NormKind.Layer ? new float[rows] : null;

    /// <summary>A q/k norm's input and 1/σ per normalised row.</summary>
    public sealed record NormTape(float[] Input, float[] Rstd);

    // q or k through its optional norm, rows of the norm's width (a head, or the whole projection).
    static float[] NormedOrSame(Norm? norm, float[] x, out NormTape? tape)
    {
        tape = null;
        if (norm == null) return x;
        var y = new float[x.Length];
        var rstd = new float[x.Length / norm.Weight.Length];
        norm.Forward(x, y, rstd.Length, rstd);
        tape = new NormTape(x, rstd);
        return y;
    }

    static float[] NormBackwardOrSame(Norm? norm, float[] dy, NormTape? tape)
    {
        if (norm == null) return dy;
        var dx = new float[dy.Length];
        norm.Backward(dy, tape!.Input, tape.Rstd, null, dx, tape.Rstd.Length);
        return dx;
    }

    // ---------------------------------------------------------------- x → site
    /// <summary>Appends this layer's keys/values for the rows to their caches and writes the head outputs to <paramref name="site"/>.</summary>
    public void ForwardToSite(ReadOnlySpan<float> x, RowLayout rows, KvCache[] caches, Span<float> site, Tape? tape)
    {
        int n = rows.Rows;
        float[] ln1;
        var ln1Rstd = new float[n];
        float[]? ln1Mean = null;
        if (AttnNorm != null)
        {
            ln1 = new float[n * Hidden]; ln1Mean = MeanBuf(AttnNorm, n);
            AttnNorm.Forward(x, ln1, n, ln1Rstd, ln1Mean);
        }
        else ln1 = x.ToArray();   // OLMo 2: no input norm
        var qRaw = new float[n * SiteWidth];
        var kRaw = new float[n * KvDim];
        var v = new float[n * KvDim];
        Q.Forward(ln1, qRaw, n); K.Forward(ln1, kRaw, n); V.Forward(ln1, v, n);
        var q = NormedOrSame(QNorm, qRaw, out var qTape);
        var k = NormedOrSame(KNorm, kRaw, out var kTape);
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
        if (tape != null)
        {
            tape.Input = AttnNorm != null ? x.ToArray() : ln1; tape.Ln1 = ln1; tape.Ln1Rstd = ln1Rstd; tape.Ln1Mean = ln1Mean; tape.Queries = q;
            tape.QPreNorm = qTape; tape.KPreNorm = kTape;
        }
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
        var dqRaw = NormBackwardOrSame(QNorm, dq, tape.QPreNorm);
        var dkRaw = NormBackwardOrSame(KNorm, dk, tape.KPreNorm);
        var dln1 = new float[n * Hidden];
        Q.Backward(dqRaw, tape.Ln1, dln1, n); K.Backward(dkRaw, tape.Ln1, dln1, n); V.Backward(dv, tape.Ln1, dln1, n);
        if (AttnNorm != null) AttnNorm.Backward(dln1, tape.Input, tape.Ln1Rstd, tape.Ln1Mean, dx, n);
        else for (int i = 0; i < dln1.Length; i++) dx[i] += dln1[i];
    }

    void RotateRows(Span<float> q, Span<float> k, RowLayout rows, bool inverse)
    {
        Span<float> cos = stackalloc float[Rope!.Pairs], sin = stackalloc float[Rope.Pairs];
        for (int r = 0; r < rows.Rows; r++)
        {
            Rope.Angles(rows.Pos[r], rows.SequenceLength[rows.Seq[r]], cos, sin);
            Rope.Rotate(q.Slice(r * SiteWidth, SiteWidth), cos, sin, inverse);
            Rope.Rotate(k.Slice(r * KvDim, KvDim), cos, sin, inverse);
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
        var ln2 = residual2;   // OLMo 2: no pre-MLP norm
        var ln2Rstd = new float[rows];
        float[]? ln2Mean = null;
        if (MlpNorm != null)
        {
            ln2 = new float[residual2.Length]; ln2Mean = MeanBuf(MlpNorm, rows);
            MlpNorm.Forward(residual2, ln2, rows, ln2Rstd, ln2Mean);
        }
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
        if (MlpNorm != null) MlpNorm.Backward(dln2, tape.Residual2, tape.Ln2Rstd, tape.Ln2Mean, dx, rows);
        else for (int i = 0; i < dln2.Length; i++) dx[i] += dln2[i];
        // dx now holds ∂L/∂residual2
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
