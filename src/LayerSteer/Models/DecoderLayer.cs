using System.Numerics.Tensors;
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

    /// <summary>One forward pass's activations of this layer, kept from step to step (a new array only when a shape changes).
    /// A recording tape (training) holds everything backward needs; a scratch tape (<c>records: false</c>, inference) is
    /// shared by all layers of a pass and skips what only backward reads.</summary>
    public sealed class Tape(bool records = true)
    {
        public bool Records { get; } = records;
        // like llm.c's activations: ln1 = the attention norm, ln2 = the MLP norm; rstd = 1/σ per row, mean only for LayerNorm
        public float[] Input = [], Ln1 = [], Ln1Rstd = [], Ln1Mean = [];
        public float[] QRaw = [], KRaw = [], V = [], QNormed = [], KNormed = [], QNormRstd = [], KNormRstd = [];
        /// <summary>The queries attention saw (after their norm and RoPE): QNormed, or QRaw rotated in place.</summary>
        public float[] Queries = [];
        public Attention.Tape Attn = new();
        public float[] Site = [], AttnOut = [], AttnBranch = [], PostAttnRstd = [], PostAttnMean = [];
        public float[] Residual2 = [], Ln2 = [], Ln2Rstd = [], Ln2Mean = [], MlpOut = [], MlpBranch = [], PostMlpRstd = [], PostMlpMean = [];
        /// <summary>The MLP's input: Ln2, or Residual2 when the family has no pre-MLP norm.</summary>
        public float[] MlpInput = [];
        public Mlp.Tape Mlp = new();
    }

    /// <summary>The temporaries of one layer's backward pass; one set serves every layer of a backward pass (DSite: ∂L/∂site
    /// between a layer's two halves).</summary>
    public sealed class Gradients
    {
        public float[] DSite = [], DQ = [], DK = [], DV = [], DQRaw = [], DKRaw = [], DLn1 = [], DBranch = [], DLn2 = [];
        public Mlp.Gradients Mlp = new();
    }

    // q or k through its optional norm (rows of the norm's width: a head, or the whole projection) into normed.
    static float[] NormedOrSame(Norm? norm, float[] x, ref float[] normed, ref float[] rstd)
    {
        if (norm == null) return x;
        var y = Buffers.Sized(ref normed, x.Length);
        norm.Forward(x, y, x.Length / norm.Weight.Length, Buffers.Sized(ref rstd, x.Length / norm.Weight.Length));
        return y;
    }

    static float[] NormBackwardOrSame(Norm? norm, float[] dy, float[] input, float[] rstd, ref float[] dx)
    {
        if (norm == null) return dy;
        var d = Buffers.Zeroed(ref dx, dy.Length);
        norm.Backward(dy, input, rstd, null, d, rstd.Length);
        return d;
    }

    // ---------------------------------------------------------------- x → site
    /// <summary>Appends this layer's keys/values for the rows to their caches and writes the head outputs to <paramref name="site"/>.</summary>
    public void ForwardToSite(ReadOnlySpan<float> x, RowLayout rows, KvCache[] caches, Span<float> site, Tape t)
    {
        int n = rows.Rows;
        var ln1 = Buffers.Sized(ref t.Ln1, n * Hidden);
        if (AttnNorm != null)
        {
            AttnNorm.Forward(x, ln1, n, Buffers.Sized(ref t.Ln1Rstd, n), AttnNorm.MeanBuffer(ref t.Ln1Mean, n));
            if (t.Records) x[..ln1.Length].CopyTo(Buffers.Sized(ref t.Input, ln1.Length));
        }
        else x[..ln1.Length].CopyTo(ln1);   // OLMo 2: no input norm
        var qRaw = Buffers.Sized(ref t.QRaw, n * SiteWidth);
        var kRaw = Buffers.Sized(ref t.KRaw, n * KvDim);
        var v = Buffers.Sized(ref t.V, n * KvDim);
        Q.Forward(ln1, qRaw, n); K.Forward(ln1, kRaw, n); V.Forward(ln1, v, n);
        var q = t.Queries = NormedOrSame(QNorm, qRaw, ref t.QNormed, ref t.QNormRstd);
        var k = NormedOrSame(KNorm, kRaw, ref t.KNormed, ref t.KNormRstd);
        if (Rope != null) RotateRows(q, k, rows, inverse: false);
        for (int s = 0; s < rows.Sequences; s++)
        {
            if (rows.Count[s] == 0) continue;
            var cache = caches[s];
            if (cache.LayerLength[Index] != rows.Pos[rows.Start[s]])
                throw new InvalidOperationException($"layer {Index}: cache holds {cache.LayerLength[Index]} tokens but rows start at {rows.Pos[rows.Start[s]]}");
            cache.Append(Index, k.AsSpan(rows.Start[s] * KvDim), v.AsSpan(rows.Start[s] * KvDim), rows.Count[s]);
        }
        Attention.Forward(q, rows, caches, Index, site, t.Records ? t.Attn : null);
    }

    /// <summary>dx += ∂/∂x from dsite; keys/values of the new rows carry gradient, cached prefix keys do not.</summary>
    public void BackwardToSite(ReadOnlySpan<float> dsite, RowLayout rows, KvCache[] caches, Tape t, Span<float> dx, Gradients g)
    {
        int n = rows.Rows;
        var dq = Buffers.Zeroed(ref g.DQ, n * SiteWidth);
        var dk = Buffers.Zeroed(ref g.DK, n * KvDim);
        var dv = Buffers.Zeroed(ref g.DV, n * KvDim);
        Attention.Backward(dsite, t.Queries, rows, caches, Index, t.Attn, dq, dk, dv);
        if (Rope != null) RotateRows(dq, dk, rows, inverse: true);
        var dqRaw = NormBackwardOrSame(QNorm, dq, t.QRaw, t.QNormRstd, ref g.DQRaw);
        var dkRaw = NormBackwardOrSame(KNorm, dk, t.KRaw, t.KNormRstd, ref g.DKRaw);
        var dln1 = Buffers.Zeroed(ref g.DLn1, n * Hidden);
        Q.Backward(dqRaw, t.Ln1, dln1, n); K.Backward(dkRaw, t.Ln1, dln1, n); V.Backward(dv, t.Ln1, dln1, n);
        if (AttnNorm != null) AttnNorm.Backward(dln1, t.Input, t.Ln1Rstd, AttnNorm.MeanBuffer(ref t.Ln1Mean, n), dx, n);
        else TensorPrimitives.Add(dx[..dln1.Length], dln1, dx[..dln1.Length]);
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
    public void ForwardFromSite(ReadOnlySpan<float> site, Span<float> x, int rows, Tape t)
    {
        int len = rows * Hidden;
        if (t.Records && site != t.Site) site[..(rows * SiteWidth)].CopyTo(Buffers.Sized(ref t.Site, rows * SiteWidth));
        var attnOut = Buffers.Sized(ref t.AttnOut, len);
        O.Forward(site, attnOut, rows);
        var attnBranch = attnOut;   // Gemma's sandwich norm normalises the branch before the residual add
        if (PostAttnNorm != null)
        {
            attnBranch = Buffers.Sized(ref t.AttnBranch, len);
            PostAttnNorm.Forward(attnOut, attnBranch, rows, Buffers.Sized(ref t.PostAttnRstd, rows), PostAttnNorm.MeanBuffer(ref t.PostAttnMean, rows));
        }
        var residual2 = Buffers.Sized(ref t.Residual2, len);
        TensorPrimitives.Add(x[..len], attnBranch, residual2);
        var ln2 = residual2;   // OLMo 2: no pre-MLP norm
        if (MlpNorm != null)
        {
            ln2 = Buffers.Sized(ref t.Ln2, len);
            MlpNorm.Forward(residual2, ln2, rows, Buffers.Sized(ref t.Ln2Rstd, rows), MlpNorm.MeanBuffer(ref t.Ln2Mean, rows));
        }
        t.MlpInput = ln2;
        var mlpOut = Buffers.Sized(ref t.MlpOut, len);
        Mlp.Forward(ln2, mlpOut, rows, t.Mlp);
        var mlpBranch = mlpOut;
        if (PostMlpNorm != null)
        {
            mlpBranch = Buffers.Sized(ref t.MlpBranch, len);
            PostMlpNorm.Forward(mlpOut, mlpBranch, rows, Buffers.Sized(ref t.PostMlpRstd, rows), PostMlpNorm.MeanBuffer(ref t.PostMlpMean, rows));
        }
        TensorPrimitives.Add(residual2, mlpBranch, x[..len]);
    }

    /// <summary>Given dx = ∂L/∂out, returns ∂L/∂site in <paramref name="dsite"/> and leaves in dx the gradient
    /// that reaches the residual input through the skip connections (attention's own path is added by BackwardToSite).</summary>
    public void BackwardFromSite(Span<float> dx, Span<float> dsite, int rows, Tape t, Gradients g)
    {
        int len = rows * Hidden;
        ReadOnlySpan<float> dmlpOut = dx[..len];   // read by the MLP's backward before dx is added to below
        if (PostMlpNorm != null)
        {
            var dPre = Buffers.Zeroed(ref g.DBranch, len);
            PostMlpNorm.Backward(dmlpOut, t.MlpOut, t.PostMlpRstd, PostMlpNorm.MeanBuffer(ref t.PostMlpMean, rows), dPre, rows);
            dmlpOut = dPre;
        }
        var dln2 = Buffers.Zeroed(ref g.DLn2, len);
        Mlp.Backward(dmlpOut, t.MlpInput, dln2, rows, t.Mlp, g.Mlp);
        if (MlpNorm != null) MlpNorm.Backward(dln2, t.Residual2, t.Ln2Rstd, MlpNorm.MeanBuffer(ref t.Ln2Mean, rows), dx, rows);
        else TensorPrimitives.Add(dx[..len], dln2, dx[..len]);
        // dx now holds ∂L/∂residual2
        ReadOnlySpan<float> dattnOut = dx[..len];
        if (PostAttnNorm != null)
        {
            var dPre = Buffers.Zeroed(ref g.DBranch, len);
            PostAttnNorm.Backward(dx, t.AttnOut, t.PostAttnRstd, PostAttnNorm.MeanBuffer(ref t.PostAttnMean, rows), dPre, rows);
            dattnOut = dPre;
        }
        dsite.Clear();
        O.Backward(dattnOut, t.Site, dsite, rows);
    }
}
