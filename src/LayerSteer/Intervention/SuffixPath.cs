using LayerSteer.Models;
using LayerSteer.Tensors;
using LayerSteer.Training;

namespace LayerSteer.Intervention;

/// <summary>The objective (1/N) Σᵢ L_task(model with Δ at (ℓ, site, steered tokens), promptᵢ, targetᵢ) and its gradient in
/// Δ, computed on the suffix path: each prompt runs once with a KV cache; an evaluation recomputes only the suffix rows
/// (last prompt token + teacher-forced targets) from layer ℓ's site upward, batched over all examples, and
/// back-propagates through them alone. At the o_proj input the suffix restarts inside layer ℓ (after its attention, whose
/// keys/values Δ cannot change); at the block output it restarts at layer ℓ + 1 — the residual after ℓ plus Δ. With
/// <see cref="ApplyMode.Every"/> the whole prompt is steered, so every prompt row is a suffix row (only layers ≤ ℓ stay
/// cached). With <c>cachePrompt: false</c> every evaluation instead re-runs every position from layer 0 (the naive full
/// forward/backward; same numbers, used to prove and to measure the saving).</summary>
public sealed class SuffixPath
{
    readonly Transformer _m;
    readonly int _layer;
    readonly Example[] _ex;
    readonly ApplyMode _mode;
    readonly VectorSite _site;
    readonly TaskLoss _loss;
    readonly bool _cachePrompt;
    // Constant state after Prepare: caches (prefix at all layers, suffix at layers ≤ ℓ), the residual into ℓ (o_proj input)
    // or out of ℓ (block output), and the site of ℓ before Δ (o_proj input).
    KvCache[] _caches = [];
    RowLayout _rows = null!;
    float[] _x0 = [], _site0 = [];
    int[] _firstRow = [];   // per example: index of its last-prompt-token row within the layout
    // Reused by every evaluation (a fit step allocates nothing): the residual and the steered site as they are changed, their
    // gradients, the layers' tapes, the loss's buffers.
    float[] _x = [], _steered = [], _dx = [];
    readonly DecoderLayer.Tape[] _tapes;
    readonly TaskLoss.Workspace _lossWs = new();
    readonly DecoderLayer.Gradients _grads = new();

    public int Layer => _layer;
    public VectorSite Site => _site;
    public int Width => VectorSites.Width(_m, _site);

    public SuffixPath(Transformer model, int layer, IReadOnlyList<Example> examples, ApplyMode mode, TaskLoss loss, bool cachePrompt = true,
        VectorSite site = VectorSite.OProjInput)
    {
        if (layer < 0 || layer >= model.Config.NumLayers)
            throw new LayerSteerException($"layer {layer} is outside 0..{model.Config.NumLayers - 1} (layers are 0-based)");
        foreach (var e in examples)
            if (e.Prompt.Length == 0 || e.Target.Length == 0) throw new LayerSteerException("every example needs a non-empty prompt and target");
        (_m, _layer, _ex, _mode, _loss, _cachePrompt, _site) = (model, layer, examples.ToArray(), mode, loss, cachePrompt, site);
        _tapes = new DecoderLayer.Tape[model.Config.NumLayers];
        if (cachePrompt) Prepare();
    }

    // Prompt tokens that Δ never reaches at any layer: all but the last, unless every prompt token is steered.
    int Cached(Example e) => _cachePrompt && _mode != ApplyMode.Every ? e.Prompt.Length - 1 : 0;

    /// <summary>Runs everything that Δ cannot change: prompt prefixes at every layer, and the suffix rows up to the site of ℓ.</summary>
    void Prepare()
    {
        int n = _ex.Length;
        _caches = _ex.Select(e => _m.NewCache(e.Prompt.Length + e.Target.Length)).ToArray();
        // Longrope (Phi-3) picks its factors by the whole forward's length: the prefill is told each sequence's full length.
        if (_ex.Any(e => Cached(e) > 0))
            _m.Prefill(_ex.Select(e => e.Prompt[..Cached(e)]).ToArray(), _caches, sequenceLengths: _ex.Select(e => e.Prompt.Length + e.Target.Length - 1).ToArray());
        // Suffix rows: the uncached prompt tokens (the last one, or all), then targets[..^1] as teacher-forced inputs.
        var tokens = _ex.Select(e => e.Prompt[Cached(e)..].Concat(e.Target[..^1]).ToArray()).ToArray();
        _rows = new RowLayout(tokens.Select(t => t.Length).ToArray(), _caches.Select(c => c.Length).ToArray());
        _firstRow = Enumerable.Range(0, n).Select(i => _rows.Start[i] + _ex[i].Prompt.Length - 1 - Cached(_ex[i])).ToArray();
        _x0 = _m.Embed(tokens.SelectMany(t => t).ToArray(), _rows);
        if (_site == VectorSite.BlockOutput) { _m.RunLayers(_x0, _rows, _caches, 0, _layer + 1); return; }
        _m.RunLayers(_x0, _rows, _caches, 0, _layer);
        _site0 = new float[_rows.Rows * Width];
        _m.Layers[_layer].ForwardToSite(_x0, _rows, _caches, _site0, new DecoderLayer.Tape(records: false));
    }

    bool Steered(int row) => SiteAddition.Applies(_mode, _rows.Pos[row], _ex[_rows.Seq[row]].Prompt.Length);

    /// <summary>Mean task loss over the examples and its gradient ∂/∂Δ (written to <paramref name="grad"/> when given).</summary>
    public double Evaluate(ReadOnlySpan<float> delta, float[]? grad)
    {
        if (!_cachePrompt) Prepare();
        int L = _m.Config.NumLayers, R = _rows.Rows, w = Width;
        // Layers above ℓ forget the previous evaluation's suffix keys/values; the prefix stays.
        for (int i = 0; i < _ex.Length; i++) _caches[i].Truncate(_rows.Pos[_rows.Start[i]], _layer + 1);

        // Forward from the site of layer ℓ: Δ enters the site (o_proj input) or the residual after ℓ (block output).
        bool block = _site == VectorSite.BlockOutput;
        var x = Buffers.Sized(ref _x, _x0.Length);
        _x0.CopyTo(x, 0);
        var steered = x;
        if (!block) { steered = Buffers.Sized(ref _steered, _site0.Length); _site0.CopyTo(steered, 0); }
        for (int r = 0; r < R; r++)
            if (Steered(r)) for (int j = 0; j < w; j++) steered[r * w + j] += delta[j];
        if (!block) _m.Layers[_layer].ForwardFromSite(steered, x, R, _tapes[_layer] ??= new DecoderLayer.Tape());
        _m.RunLayers(x, _rows, _caches, _layer + 1, L, tapes: _tapes);
        var dx = grad != null ? Buffers.Zeroed(ref _dx, R * _m.Hidden) : null;
        double loss = _loss.OverBatch(_m, _ex, _firstRow, x, dx, _lossWs);
        if (grad == null) return loss;

        // Backward to the site of layer ℓ: dx becomes ∂L/∂(residual after ℓ), then (o_proj input) ∂L/∂site.
        _m.BackwardLayers(dx, _rows, _caches, _tapes, _layer + 1, L, _grads);
        var dsite = dx!;
        if (!block)
        {
            dsite = Buffers.Sized(ref _grads.DSite, R * w);
            _m.Layers[_layer].BackwardFromSite(dx, dsite, R, _tapes[_layer], _grads);
        }
        Array.Clear(grad);
        for (int r = 0; r < R; r++)
            if (Steered(r)) for (int j = 0; j < w; j++) grad[j] += dsite[r * w + j];
        return loss;
    }
}
