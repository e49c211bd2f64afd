using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Training;

namespace LayerSteer.Adapters;

/// <summary>A frozen model with trainable parts: the model to run (layers rewired through LoRA/IA3 maps), the parameters,
/// an optional soft prompt (virtual-token embeddings before every prompt) and the lowest layer backward must reach.</summary>
public sealed class Adapter
{
    public required AdapterKind Kind { get; init; }
    public required Transformer Model { get; init; }
    public required IReadOnlyList<Parameter> Parameters { get; init; }
    /// <summary>Raw embedding rows [virtual tokens, hidden] of a soft prompt, else null.</summary>
    public Parameter? Prefix { get; init; }
    /// <summary>No parameter acts below this layer, so backward stops at its input (0 with a soft prompt: it reaches the embeddings).</summary>
    public required int LowestLayer { get; init; }

    public long Count => Parameters.Sum(p => (long)p.Value.Length);

    /// <summary>How the trained adapter changes inference.</summary>
    public Steering ToSteering() => new() { Model = Model, Prefix = Prefix?.Value };

    /// <summary>LoRA (rank r, scale α/r) on q_proj and v_proj of the given layers; A drawn from <paramref name="seed"/>.</summary>
    public static Adapter Lora(Transformer m, IReadOnlyList<int> layers, int rank, float alpha, int seed)
    {
        if (layers.Count == 0) throw new LayerSteerException("LoRA needs at least one layer");
        foreach (var l in layers)
            if (l < 0 || l >= m.Config.NumLayers) throw new LayerSteerException($"LoRA layer {l} is outside 0..{m.Config.NumLayers - 1}");
        if (rank < 1) throw new LayerSteerException($"LoRA rank (--lora-rank) must be at least 1 (got {rank})");
        var rng = new Random(seed);
        var ps = new List<Parameter>();
        var rewired = m.Layers.ToArray();
        foreach (int l in layers.Distinct().Order())
        {
            var q = new LoraLinear(m.Layers[l].Q, $"layers.{l}.q_proj", rank, alpha, rng);
            var v = new LoraLinear(m.Layers[l].V, $"layers.{l}.v_proj", rank, alpha, rng);
            rewired[l] = m.Layers[l].With(q: q, v: v);
            ps.AddRange([q.A, q.B, v.A, v.B]);
        }
        return new Adapter { Kind = AdapterKind.Lora, Model = m.WithLayers(rewired), Parameters = ps, LowestLayer = layers.Min() };
    }

    /// <summary>IA3 on k_proj and v_proj (output scaling) and down_proj (input scaling) of every layer, all scales starting at 1.</summary>
    public static Adapter Ia3(Transformer m)
    {
        var ps = new List<Parameter>();
        var rewired = m.Layers.Select(layer =>
        {
            string p = $"layers.{layer.Index}.";
            var k = new Ia3Linear(layer.K, p + "k_proj", scaleInput: false);
            var v = new Ia3Linear(layer.V, p + "v_proj", scaleInput: false);
            var down = new Ia3Linear(layer.Mlp.Down, p + "mlp.down_proj", scaleInput: true);
            ps.AddRange([k.L, v.L, down.L]);
            return layer.With(k: k, v: v, mlp: layer.Mlp.WithDown(down));
        }).ToArray();
        return new Adapter { Kind = AdapterKind.Ia3, Model = m.WithLayers(rewired), Parameters = ps, LowestLayer = 0 };
    }

    /// <summary>A soft prompt of <paramref name="virtualTokens"/> embeddings initialised from the embedding rows of a task
    /// description's tokens (repeated to fill, as PEFT's text initialisation does).</summary>
    public static Adapter SoftPrompt(Transformer m, IReadOnlyList<int> descriptionIds, int virtualTokens)
    {
        if (descriptionIds.Count == 0) throw new LayerSteerException("the soft prompt's task description encodes to no tokens");
        if (virtualTokens < 1) throw new LayerSteerException($"a soft prompt needs at least one virtual token (--soft-prompt-tokens; got {virtualTokens})");
        var init = new float[virtualTokens * m.Hidden];
        m.ReadEmbeddings(Enumerable.Range(0, virtualTokens).Select(i => descriptionIds[i % descriptionIds.Count]).ToArray(), init);
        var prefix = new Parameter("soft_prompt", init);
        return new Adapter { Kind = AdapterKind.SoftPrompt, Model = m, Parameters = [prefix], Prefix = prefix, LowestLayer = 0 };
    }
}
