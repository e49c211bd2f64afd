using System.Numerics.Tensors;
using LayerSteer.Formats;
using LayerSteer.Tensors;

namespace LayerSteer.Models;

/// <summary>A decoder-only language model: embedding → layers → final norm → LM head, run over batches of
/// sequences of different lengths, each with its own KV cache.</summary>
public sealed class Transformer : IDisposable
{
    public required ModelConfig Config { get; init; }
    /// <summary>Token embedding [vocab, hidden] (a Linear so a tied LM head can share it).</summary>
    public required Linear Embedding { get; init; }
    /// <summary>Learned absolute positions [max positions, hidden] (GPT-2), else null.</summary>
    public float[]? Positions { get; init; }
    /// <summary>Embedding multiplier (Gemma: √hidden rounded to the model dtype), else 1.</summary>
    public float EmbedScale { get; init; } = 1f;
    public required DecoderLayer[] Layers { get; init; }
    public required OutputHead Head { get; init; }
    /// <summary>Where the weights came from, and a digest of config and tensor shapes (vector files check it).</summary>
    public required string Source { get; init; }
    public required string Fingerprint { get; init; }

    /// <summary>Number of stored parameters, and the dtype of the weights as loaded from the checkpoint.</summary>
    public long ParameterCount { get; internal set; }
    public string StorageDType { get; internal set; } = "F32";

    /// <summary>The checkpoint whose mapped weights the layers read in place; owned by this model, which unmaps it when disposed
    /// (null for models derived by <see cref="WithLayers"/>, which share their parent's).</summary>
    public IDisposable? Weights { get; internal set; }

    public void Dispose() => Weights?.Dispose();

    public int Hidden => Config.HiddenSize;
    public int Vocab => Config.VocabSize;

    public KvCache NewCache(int capacity = 64) => new(Config.NumLayers, Config.NumKvHeads * Config.HeadDim, capacity);

    /// <summary>x[rows, hidden] for the tokens at the layout's positions.</summary>
    public float[] Embed(IReadOnlyList<int> tokens, RowLayout rows)
    {
        var x = new float[rows.Rows * Hidden];
        ReadEmbeddings(tokens, x);
        return EmbedRaw(x, rows);
    }

    /// <summary>Raw embedding-table rows of the tokens into raw[tokens, hidden] (before scale and positions).</summary>
    public void ReadEmbeddings(IReadOnlyList<int> tokens, Span<float> raw)
    {
        for (int r = 0; r < tokens.Count; r++)
        {
            int t = tokens[r];
            if ((uint)t >= (uint)Vocab) throw new LayerSteerException($"token id {t} is outside the vocabulary (0..{Vocab - 1})");
            Embedding.ReadRow(t, raw.Slice(r * Hidden, Hidden));
        }
    }

    /// <summary>Turns raw embedding rows (table rows, or a soft prompt's free vectors) into layer-0 inputs in place:
    /// the model's embedding scale, then learned positions.</summary>
    public float[] EmbedRaw(float[] x, RowLayout rows)
    {
        if (EmbedScale != 1f) TensorPrimitives.Multiply(x, EmbedScale, x);
        if (Positions != null)
            for (int r = 0; r < rows.Rows; r++)
            {
                int p = rows.Pos[r];
                if (p >= Config.MaxPositions) throw new LayerSteerException($"position {p} exceeds the model's {Config.MaxPositions} learned positions");
                var xr = x.AsSpan(r * Hidden, Hidden);
                TensorPrimitives.Add(xr, Positions.AsSpan(p * Hidden, Hidden), xr);
            }
        return x;
    }

    /// <summary>Runs the same raw embedding rows (a soft prompt, [virtual tokens, hidden]) at the start of every cache;
    /// <paramref name="sequenceLengths"/> as in <see cref="Prefill"/>.</summary>
    public void PrefillVectors(float[] prefix, KvCache[] caches, IActivationHook? hook = null, IReadOnlyList<int>? sequenceLengths = null)
    {
        int p = prefix.Length / Hidden;
        var rows = new RowLayout(caches.Select(_ => p).ToArray(), caches.Select(c => c.Length).ToArray(), sequenceLengths);
        var x = new float[rows.Rows * Hidden];
        for (int s = 0; s < caches.Length; s++) prefix.CopyTo(x, s * prefix.Length);
        RunLayers(EmbedRaw(x, rows), rows, caches, 0, Config.NumLayers, hook);
    }

    /// <summary>Runs new tokens of each sequence (appending to its cache) and returns logits [selected rows, vocab]
    /// for the last row of every sequence given tokens (in order), or for every row when <paramref name="allRows"/>.
    /// A sequence given no tokens is idle: hooks still see every sequence under its own index.</summary>
    public float[] Forward(IReadOnlyList<int[]> tokens, KvCache[] caches, IActivationHook? hook = null, bool allRows = false)
    {
        var (x, rows) = Prefill(tokens, caches, hook);
        int[] sel = allRows ? Enumerable.Range(0, rows.Rows).ToArray() : rows.LastRows;
        return Logits(x, sel);
    }

    /// <summary>As <see cref="Forward(IReadOnlyList{int[]}, KvCache[], IActivationHook?, bool)"/> for the last rows, with the
    /// logits written to <paramref name="logits"/> ([sequences given tokens, vocab]) and every activation in reused buffers:
    /// the decode loop's step, which allocates nothing in the layers.</summary>
    public void Forward(IReadOnlyList<int[]> tokens, KvCache[] caches, Span<float> logits, IActivationHook? hook = null)
    {
        int n = 0, given = 0;
        for (int s = 0; s < tokens.Count; s++) { n += tokens[s].Length; if (tokens[s].Length > 0) given++; }
        if (logits.Length < (long)given * Vocab)
            throw new ArgumentException($"logits holds {logits.Length} values; {given} sequences given tokens need {(long)given * Vocab}", nameof(logits));
        var ws = Rent(n);
        try
        {
            var rows = ws.Rows = ws.Rows?.Advanced(tokens, caches) ?? Layout(tokens, caches, null);
            var x = Buffers.Sized(ref ws.X, rows.Rows * Hidden);
            Run(EmbedInto(tokens, rows, x), rows, caches, 0, Config.NumLayers, hook, null, ws);
            HeadOf(x, rows.LastRows, ws.Head).CopyTo(logits);
        }
        finally { Return(ws); }
    }

    /// <summary>Runs new tokens through every layer, filling the caches; returns the final residual and its layout (no logits).
    /// A prefix run ahead of the rest of its sequence passes the whole sequence's lengths (see <see cref="RowLayout.SequenceLength"/>).</summary>
    public (float[] X, RowLayout Rows) Prefill(IReadOnlyList<int[]> tokens, KvCache[] caches, IActivationHook? hook = null, IReadOnlyList<int>? sequenceLengths = null)
    {
        var rows = Layout(tokens, caches, sequenceLengths);
        var x = EmbedInto(tokens, rows, new float[rows.Rows * Hidden]);
        RunLayers(x, rows, caches, 0, Config.NumLayers, hook);
        return (x, rows);
    }

    static RowLayout Layout(IReadOnlyList<int[]> tokens, KvCache[] caches, IReadOnlyList<int>? sequenceLengths) =>
        new(tokens.Select(t => t.Length).ToArray(), caches.Select(c => c.Length).ToArray(), sequenceLengths);

    // Each sequence's tokens' embedding rows into x at its rows, scaled and positioned.
    float[] EmbedInto(IReadOnlyList<int[]> tokens, RowLayout rows, float[] x)
    {
        for (int s = 0; s < tokens.Count; s++) ReadEmbeddings(tokens[s], x.AsSpan(rows.Start[s] * Hidden));
        return EmbedRaw(x, rows);
    }

    /// <summary>Layers [from, to) over x in place, with hooks; with <paramref name="tapes"/> (indexed by layer) each layer
    /// records what <see cref="BackwardLayers"/> needs (a tape already there is reused).</summary>
    public void RunLayers(Span<float> x, RowLayout rows, KvCache[] caches, int from, int to, IActivationHook? hook = null, DecoderLayer.Tape[]? tapes = null)
    {
        var ws = tapes == null ? Rent(rows.Rows) : null;
        try { Run(x, rows, caches, from, to, hook, tapes, ws); }
        finally { if (ws != null) Return(ws); }
    }

    // Each layer records into its tape, or (inference) into the workspace's scratch tape.
    void Run(Span<float> x, RowLayout rows, KvCache[] caches, int from, int to, IActivationHook? hook, DecoderLayer.Tape[]? tapes, Workspace? ws)
    {
        for (int l = from; l < to; l++)
        {
            var tape = tapes != null ? tapes[l] ??= new DecoderLayer.Tape() : ws!.Layer;
            var site = Buffers.Sized(ref tape.Site, rows.Rows * Config.SiteWidth);
            Layers[l].ForwardToSite(x, rows, caches, site, tape);
            hook?.AtSite(l, site, rows);
            Layers[l].ForwardFromSite(site, x, rows.Rows, tape);
            hook?.AfterLayer(l, x, rows);
        }
    }

    /// <summary>Given dx = ∂L/∂(output of layer to−1), back-propagates through layers [from, to) in place: dx becomes ∂L/∂(input of
    /// layer from). Layers hand their parameters' gradients to any trainable maps they hold. A caller that steps again and again
    /// (a fit) passes its own <paramref name="grads"/>, else a pooled set is used.</summary>
    public void BackwardLayers(Span<float> dx, RowLayout rows, KvCache[] caches, DecoderLayer.Tape[] tapes, int from, int to,
        DecoderLayer.Gradients? grads = null)
    {
        var ws = grads == null ? Rent(rows.Rows) : null;
        var g = grads ?? ws!.Grads;
        try
        {
            var dsite = Buffers.Sized(ref g.DSite, rows.Rows * Config.SiteWidth);
            for (int l = to - 1; l >= from; l--)
            {
                Layers[l].BackwardFromSite(dx, dsite, rows.Rows, tapes[l], g);
                Layers[l].BackwardToSite(dsite, rows, caches, tapes[l], dx, g);
            }
        }
        finally { if (ws != null) Return(ws); }
    }

    /// <summary>The buffers of one pass that no caller keeps: the layers' activations during inference (one set shared by every
    /// layer), backward's temporaries, the LM head's. Pooled per model, so concurrent passes each take their own.</summary>
    sealed class Workspace
    {
        public readonly DecoderLayer.Tape Layer = new(records: false);
        public readonly DecoderLayer.Gradients Grads = new();
        public readonly OutputHead.Tape Head = new();
        public float[] X = [];
        public RowLayout? Rows;   // the last decode step's, refilled for the next
        public int PassRows;      // the rows of the passes it serves
    }

    // Idle workspaces, most recently used last. A pass takes one last used for as many rows, so the decode steps after a prefill
    // keep buffers of their own size. Only passes of up to MaxRetainedRows rows (decode batches, short prompts) are kept: a long
    // prefill's buffers would hold hundreds of MB of a large model for good, and allocating them costs little beside its compute.
    readonly List<Workspace> _idle = [];
    const int MaxIdle = 4, MaxRetainedRows = 64;

    Workspace Rent(int rows)
    {
        lock (_idle)
        {
            int i = _idle.Count - 1;
            while (i >= 0 && _idle[i].PassRows != rows) i--;
            if (i < 0) return new Workspace { PassRows = rows };
            var ws = _idle[i];
            _idle.RemoveAt(i);
            return ws;
        }
    }

    void Return(Workspace ws)
    {
        if (ws.PassRows > MaxRetainedRows) return;
        lock (_idle)
        {
            _idle.Add(ws);
            if (_idle.Count > MaxIdle) _idle.RemoveAt(0);
        }
    }

    /// <summary>The same model with some layers replaced (adapters); everything else is shared, not copied.</summary>
    public Transformer WithLayers(DecoderLayer[] layers) => new()
    {
        Config = Config, Embedding = Embedding, Positions = Positions, EmbedScale = EmbedScale, Layers = layers, Head = Head,
        Source = Source, Fingerprint = Fingerprint, ParameterCount = ParameterCount, StorageDType = StorageDType,
    };

    /// <summary>Logits [selected rows, vocab] of x's selected rows: a new array, or with a tape (for <see cref="LogitsBackward"/>)
    /// the tape's Logits buffer, valid until the tape's next use.</summary>
    public float[] Logits(ReadOnlySpan<float> x, IReadOnlyList<int> selectedRows, OutputHead.Tape? tape = null)
    {
        if (tape != null) return HeadOf(x, selectedRows, tape);
        var ws = Rent(selectedRows.Count);
        try { return HeadOf(x, selectedRows, ws.Head).ToArray(); }
        finally { Return(ws); }
    }

    // The selected rows gathered into the tape's input, through the head.
    float[] HeadOf(ReadOnlySpan<float> x, IReadOnlyList<int> selectedRows, OutputHead.Tape tape)
    {
        var xs = Buffers.Sized(ref tape.Input, selectedRows.Count * Hidden);
        for (int i = 0; i < selectedRows.Count; i++) x.Slice(selectedRows[i] * Hidden, Hidden).CopyTo(xs.AsSpan(i * Hidden));
        return Head.Forward(xs, selectedRows.Count, tape);
    }

    /// <summary>dx[selected rows] += ∂L/∂x given ∂L/∂logits of those rows.</summary>
    public void LogitsBackward(ReadOnlySpan<float> dlogits, OutputHead.Tape tape, Span<float> dx, IReadOnlyList<int> selectedRows)
    {
        var dxs = Buffers.Zeroed(ref tape.DInput, selectedRows.Count * Hidden);
        Head.Backward(dlogits, tape, dxs, selectedRows.Count);
        for (int i = 0; i < selectedRows.Count; i++)
        {
            var dst = dx.Slice(selectedRows[i] * Hidden, Hidden);
            TensorPrimitives.Add(dst, dxs.AsSpan(i * Hidden, Hidden), dst);
        }
    }
}
