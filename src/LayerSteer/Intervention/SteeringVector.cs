using LayerSteer.Models;

namespace LayerSteer.Intervention;

/// <summary>A fitted (or imported) Δ and where it belongs: a .safetensors file with tensor "delta" [site width at the o_proj
/// input, hidden at the block output] and the <see cref="VectorHeader"/> (format version, model fingerprint, architecture,
/// 0-based layer, site, apply mode, task, template, γ, λ, …).</summary>
public sealed record SteeringVector(float[] Delta, VectorHeader Header)
{
    public const string Format = "layersteer-vector";
    const string Tensor = "delta";

    public int Layer => Header.Layer;
    public ApplyMode Apply => Header.Apply;
    public VectorSite Site => Header.Site;
    public string Task => Header.Task ?? "?";

    /// <summary>The header every Δ of <paramref name="model"/> at (<paramref name="layer"/>, <paramref name="site"/>) carries, before the fit's details.</summary>
    public static VectorHeader BaseHeader(Transformer model, int layer, ApplyMode apply, VectorSite site = VectorSite.OProjInput) =>
        VectorHeader.For(Format, model, layer, site, apply);

    /// <summary>Writes the file atomically (temp file, then rename).</summary>
    public void Save(string path) => VectorFile.Save(path, Tensor, Delta, Header);

    public static SteeringVector Load(string path)
    {
        var (delta, header) = VectorFile.Load(path, Format, Tensor, "vector");
        return new SteeringVector(delta, header);
    }

    /// <summary>Fails unless this vector belongs to <paramref name="model"/> (same fingerprint and width).</summary>
    public void CheckModel(Transformer model, string path) => Header.CheckModel(model, path, "vector", Delta.Length);

    /// <summary>This vector added at inference, scaled by α.</summary>
    public Addition ToAddition(float scale = 1f) => new(Layer, Delta, scale, Apply, Site);
}
