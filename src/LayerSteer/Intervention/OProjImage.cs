using System.Numerics.Tensors;
using LayerSteer.Models;

namespace LayerSteer.Intervention;

/// <summary>W_O·v: what a vector v at a layer's o_proj input adds to that layer's attention output. o_proj's bias (GPT-2)
/// belongs to no head and is left out: o_proj is affine, so this is o_proj(v) − o_proj(0).</summary>
public static class OProjImage
{
    public static float[] Of(DecoderLayer layer, ReadOnlySpan<float> v)
    {
        int width = v.Length, hidden = layer.O.Out;
        var site = new float[2 * width];   // row 0: v; row 1: zeros
        v.CopyTo(site);
        var y = new float[2 * hidden];
        layer.O.Forward(site, y, 2);
        var image = new float[hidden];
        TensorPrimitives.Subtract(y.AsSpan(0, hidden), y.AsSpan(hidden), image);
        return image;
    }
}
