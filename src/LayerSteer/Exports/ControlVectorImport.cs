using LayerSteer.Formats.Gguf;
using LayerSteer.Intervention;
using LayerSteer.Models;

namespace LayerSteer.Exports;

/// <summary>`import --gguf`: the directions of a control-vector GGUF (llama.cpp's cvector-generator, repeng, EasySteer, ours)
/// as block-output vector files of a model — direction.{k} is added after decoder layer k, as in llama.cpp — checked
/// against the model's hidden size and layer count.</summary>
public static class ControlVectorImport
{
    /// <summary>One vector per direction (only <paramref name="layer"/>'s when given), applied at <paramref name="apply"/>
    /// (<see cref="ApplyMode.Every"/> is llama.cpp's semantics).</summary>
    public static IReadOnlyList<SteeringVector> Read(string ggufPath, Transformer model, int? layer, ApplyMode apply)
    {
        var cv = ControlVectorFile.Read(ggufPath);
        int L = model.Config.NumLayers;
        if (cv.Hidden != model.Hidden)
            throw LayerSteerException.InFile(ggufPath, $"its directions have {cv.Hidden} entries, but this model's hidden size is {model.Hidden} (a vector for another model?)");
        string have = string.Join(", ", cv.Directions.Keys.Order());
        var layers = layer is int l
            ? cv.Directions.ContainsKey(l) ? [l] : throw LayerSteerException.InFile(ggufPath, $"has no direction.{l} (it has layers {have})")
            : cv.Directions.Keys.Order().ToArray();
        if (layers.FirstOrDefault(k => k >= L, -1) is int past and >= 0)
            throw LayerSteerException.InFile(ggufPath, $"direction.{past} is past this model's {L} layers (0..{L - 1})");
        string source = $"control-vector GGUF {Path.GetFileName(ggufPath)} (method {cv.Method ?? "?"}, model_hint {cv.ModelHint ?? "?"})";
        return layers.Select(k => new SteeringVector(cv.Directions[k],
            SteeringVector.BaseHeader(model, k, apply, VectorSite.BlockOutput) with { Source = source })).ToArray();
    }

    /// <summary>Where the vector of <paramref name="layer"/> goes: <paramref name="outPath"/> itself for a single vector, else
    /// OUT.layer{k}.safetensors beside it.</summary>
    public static string OutPath(string outPath, int layer, int count) =>
        count == 1 ? outPath : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, $"{Path.GetFileNameWithoutExtension(outPath)}.layer{layer}.safetensors");
}
