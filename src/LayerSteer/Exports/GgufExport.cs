using LayerSteer.Formats.Gguf;
using LayerSteer.Intervention;

namespace LayerSteer.Exports;

/// <summary>`export --format gguf`: a control-vector GGUF (direction.{ℓ}) for llama.cpp's --control-vector, which adds it after
/// decoder layer ℓ at every position — and never after block 0.</summary>
public static class GgufExport
{
    public const string Method = "layersteer";

    /// <summary>Writes <paramref name="r"/> as a control vector; returns the note on what llama.cpp changes (or null).</summary>
    public static string? Write(ResidualVector r, string outPath)
    {
        if (r.Layer == 0)
            throw new LayerSteerException("llama.cpp never steers block 0 (it rejects direction.0): this vector is at layer 0. " +
                                          "Fit it at --layer 1 or later, or export it with --format easysteer or transformers");
        ToFile(r).Write(outPath);
        return r.Note(ApplyMode.Every, "llama.cpp");
    }

    /// <summary>The control vector holding <paramref name="r"/>: one direction, the model's architecture as model_hint.</summary>
    public static ControlVectorFile ToFile(ResidualVector r) => new(r.Architecture, Method, new Dictionary<int, float[]> { [r.Layer] = r.Direction });
}
