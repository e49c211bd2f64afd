using LayerSteer.Formats;
using LayerSteer.Tensors;

namespace LayerSteer.Intervention;

/// <summary>What LayerSteer's vector files share: one 1-D float tensor plus the <see cref="VectorHeader"/> as safetensors
/// metadata; read with validation, written atomically.</summary>
public static class VectorFile
{
    /// <summary>Writes the file atomically (temp file, then rename).</summary>
    public static void Save(string path, string tensor, float[] values, VectorHeader header) =>
        SafeTensorsWriter.Write(path, new Dictionary<string, TensorData> { [tensor] = TensorData.F32([values.Length], values) }, header.ToMetadata());

    /// <summary>Reads <paramref name="tensor"/> and the header of a <paramref name="format"/> file (a "<paramref name="what"/>"),
    /// failing with the file's name on anything malformed.</summary>
    public static (float[] Values, VectorHeader Header) Load(string path, string format, string tensor, string what)
    {
        if (!File.Exists(path)) throw LayerSteerException.InFile(path, $"{what} file not found");
        using var f = new SafeTensorsFile(path);
        var header = VectorHeader.Parse(path, f.Metadata, format, what);
        if (!f.Contains(tensor) || f.Info(tensor).Shape.Length != 1)
            throw LayerSteerException.InFile(path, $"no 1-D tensor \"{tensor}\"");
        var values = f.ReadF32(tensor);
        if (!values.All(float.IsFinite)) throw LayerSteerException.InFile(path, $"{tensor} holds NaN or Inf");
        return (values, header with { Width = header.Width < 0 ? values.Length : header.Width });
    }
}
