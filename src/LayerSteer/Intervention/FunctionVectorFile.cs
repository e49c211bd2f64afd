using LayerSteer.Models;

namespace LayerSteer.Intervention;

/// <summary>A saved function vector: a .safetensors file with tensor "function_vector" [hidden] and the
/// <see cref="VectorHeader"/> (format, model fingerprint, 0-based layer whose output it is added to, apply mode, heads
/// with their CIE, task, seed, training inputs, template).</summary>
public sealed record FunctionVectorFile(float[] Vector, VectorHeader Header)
{
    public const string Format = "layersteer-function-vector";
    const string Tensor = "function_vector";

    public int Layer => Header.Layer;
    public ApplyMode Apply => Header.Apply;
    public HeadEffect[] Heads => Header.Heads ?? [];

    /// <summary>The header of an extraction on <paramref name="model"/>, before the caller's details (task, seed, template, …).</summary>
    public static VectorHeader BaseHeader(Transformer model, FunctionVectorFit fit, int layer, ApplyMode apply) =>
        VectorHeader.For(Format, model, layer, VectorSite.BlockOutput, apply) with { Heads = fit.Heads };

    /// <summary>Writes the file atomically (temp file, then rename).</summary>
    public void Save(string path) => VectorFile.Save(path, Tensor, Vector, Header);

    public static FunctionVectorFile Load(string path)
    {
        var (v, header) = VectorFile.Load(path, Format, Tensor, "function vector");
        if (header.Heads is null) throw LayerSteerException.InFile(path, "metadata \"heads\" is missing");
        return new FunctionVectorFile(v, header);
    }

    /// <summary>Fails unless this FV was extracted on <paramref name="model"/> (same fingerprint, hidden size, layer in range).</summary>
    public void CheckModel(Transformer model, string path) => Header.CheckModel(model, path, "function vector", Vector.Length);

    /// <summary>How inference applies this FV.</summary>
    public Steering Steering() => FunctionVector.Steering(Layer, Vector, Apply);
}
