using LayerSteer.Intervention;
using LayerSteer.Models;

namespace LayerSteer.Exports;

/// <summary>A vector as the engines that add to the residual stream after a decoder layer take it (llama.cpp, EasySteer,
/// repeng): layer ℓ and the direction [hidden]. A block-output vector is that already; an o_proj-input Δ becomes W_O·Δ,
/// which adds what Δ adds to layer ℓ's attention output, but after ℓ's MLP instead of before it.</summary>
public sealed record ResidualVector(int Layer, float[] Direction, string Architecture, ApplyMode FittedApply, bool Moved, bool SkipsPostAttnNorm = false)
{
    public static ResidualVector Of(SteeringVector v, Transformer? model, string vectorPath)
    {
        if (model != null) v.CheckModel(model, vectorPath);
        if (v.Site == VectorSite.BlockOutput) return new(v.Layer, v.Delta, v.Header.Architecture, v.Apply, false);
        if (model == null)
            throw LayerSteerException.InFile(vectorPath, "is an o_proj-input Δ: moving it to the residual stream needs the model's W_O — give --model (the model it was fitted on)");
        var layer = model.Layers[v.Layer];
        return new(v.Layer, OProjImage.Of(layer, v.Delta), v.Header.Architecture, v.Apply, true, layer.PostAttnNorm != null);
    }

    /// <summary>One line on what the engine's semantics change, or null when it applies the vector as fitted.</summary>
    public string? Note(ApplyMode engine, string engineName)
    {
        var parts = new List<string>();
        if (Moved) parts.Add($"exported as W_O·Δ, so it now enters the residual stream after layer {Layer}'s MLP, not before it" +
                             (SkipsPostAttnNorm ? ", and bypasses its post-attention norm" : ""));
        if (engine != FittedApply)
            parts.Add($"{engineName} adds it at {Where(engine)}, but it was fitted at {Where(FittedApply)}");
        return parts.Count == 0 ? null : "note: " + string.Join("; ", parts) + ".";
    }

    static string Where(ApplyMode m) => m switch
    {
        ApplyMode.Last => "the last prompt token only", ApplyMode.All => "the last prompt token and every generated token",
        _ => "every position (prompt included)",
    };
}
