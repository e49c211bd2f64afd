using System.Numerics.Tensors;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Training;

namespace LayerSteer.Adapters;

/// <summary>The task loss of an adapted model over whole sequences — soft prompt, prompt and teacher-forced target, every
/// position and every layer — and its gradient in the adapter's parameters. Adapters change keys and values at every
/// position, so nothing can be cached between steps (Δ's fit has the cheaper <see cref="SuffixPath"/>).</summary>
public sealed class FullSequencePath
{
    readonly Adapter _a;
    readonly Example[] _ex;
    readonly TaskLoss _loss;
    readonly RowLayout _rows;
    readonly int[] _firstRow;   // per example: its last prompt token's row
    readonly int _virtual;      // soft-prompt rows before each sequence
    float[]? _frozenInput;      // residual into the lowest adapted layer when it is above layer 0

    public Adapter Adapter => _a;

    public FullSequencePath(Adapter adapter, IReadOnlyList<Example> examples, TaskLoss loss)
    {
        foreach (var e in examples)
            if (e.Prompt.Length == 0 || e.Target.Length == 0) throw new LayerSteerException("every example needs a non-empty prompt and target");
        (_a, _ex, _loss) = (adapter, examples.ToArray(), loss);
        _virtual = adapter.Prefix is { } p ? p.Value.Length / adapter.Model.Hidden : 0;
        _rows = new RowLayout(_ex.Select(e => _virtual + e.Prompt.Length + e.Target.Length - 1).ToArray(), new int[_ex.Length]);
        _firstRow = Enumerable.Range(0, _ex.Length).Select(i => _rows.Start[i] + _virtual + _ex[i].Prompt.Length - 1).ToArray();
    }

    KvCache[] NewCaches() => _ex.Select((_, i) => _a.Model.NewCache(_rows.Count[i])).ToArray();

    /// <summary>The residual entering the lowest adapted layer. Layers below it hold no parameter, and only a soft prompt
    /// (which acts from layer 0) changes the inputs, so above layer 0 it is the same at every step: computed once.</summary>
    float[] LowestLayerInput()
    {
        if (_frozenInput != null) return (float[])_frozenInput.Clone();
        var m = _a.Model;
        int H = m.Hidden, low = _a.LowestLayer;
        var raw = new float[_rows.Rows * H];
        for (int i = 0; i < _ex.Length; i++)
        {
            int s = _rows.Start[i];
            _a.Prefix?.Value.CopyTo(raw, s * H);
            m.ReadEmbeddings([.. _ex[i].Prompt, .. _ex[i].Target[..^1]], raw.AsSpan((s + _virtual) * H));
        }
        var x = m.EmbedRaw(raw, _rows);
        if (low == 0) return x;
        m.RunLayers(x, _rows, NewCaches(), 0, low);   // keys/values below ℓ are not needed again: each step's caches start at ℓ
        _frozenInput = x;
        return (float[])x.Clone();
    }

    /// <summary>Mean task loss over the examples; with <paramref name="withGrad"/>, every parameter's Grad is overwritten with ∂/∂parameter.</summary>
    public double Evaluate(bool withGrad)
    {
        var m = _a.Model;
        int L = m.Config.NumLayers, H = m.Hidden, low = _a.LowestLayer;
        var caches = NewCaches();
        var x = LowestLayerInput();
        var tapes = new DecoderLayer.Tape[L];
        m.RunLayers(x, _rows, caches, low, L, tapes: withGrad ? tapes : null);
        var dx = withGrad ? new float[x.Length] : null;
        double loss = _loss.OverBatch(m, _ex, _firstRow, x, dx);
        if (!withGrad) return loss;

        foreach (var p in _a.Parameters) Array.Clear(p.Grad);
        m.BackwardLayers(dx, _rows, caches, tapes, low, L);
        if (_a.Prefix is { } prefix)
            for (int i = 0; i < _ex.Length; i++)
                for (int v = 0; v < _virtual; v++)
                {
                    var g = prefix.Grad.AsSpan(v * H, H);
                    TensorPrimitives.MultiplyAdd(dx.AsSpan((_rows.Start[i] + v) * H, H), m.EmbedScale, g, g);
                }
        return loss;
    }
}
