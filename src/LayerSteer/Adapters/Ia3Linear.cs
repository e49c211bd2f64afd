using System.Numerics.Tensors;
using LayerSteer.Tensors;
using LayerSteer.Training;

namespace LayerSteer.Adapters;

/// <summary>IA3: a learned per-feature rescaling l (starting at 1) of a frozen map's output (keys, values: y = l ⊙ W·x)
/// or of its input (the MLP's down projection: y = W·(l ⊙ x)).</summary>
public sealed class Ia3Linear(ILinear frozen, string name, bool scaleInput) : ILinear
{
    public Parameter L { get; } = new(name + ".ia3_l", Enumerable.Repeat(1f, scaleInput ? frozen.In : frozen.Out).ToArray());
    public int In => frozen.In;
    public int Out => frozen.Out;

    // Every row of m[rows, width] multiplied elementwise by l.
    float[] Scaled(ReadOnlySpan<float> m, int rows)
    {
        int w = L.Value.Length;
        var s = m[..(rows * w)].ToArray();
        for (int r = 0; r < rows; r++) TensorPrimitives.Multiply(s.AsSpan(r * w, w), L.Value, s.AsSpan(r * w, w));
        return s;
    }

    // dl += Σ_rows a ⊙ b
    void AddGrad(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int rows)
    {
        int w = L.Value.Length;
        for (int r = 0; r < rows; r++)
        {
            var ar = a.Slice(r * w, w); var br = b.Slice(r * w, w);
            for (int j = 0; j < w; j++) L.Grad[j] += ar[j] * br[j];
        }
    }

    public void Forward(ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        if (scaleInput) { frozen.Forward(Scaled(x, rows), y, rows); return; }
        frozen.Forward(x, y, rows);
        Scaled(y, rows).CopyTo(y);
    }

    public void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, int rows)
    {
        if (scaleInput)
        {
            var dxs = new float[rows * In];
            frozen.Backward(dy, Scaled(x, rows), dxs, rows);
            AddGrad(dxs, x, rows);
            var back = Scaled(dxs, rows);
            TensorPrimitives.Add(dx[..back.Length], back, dx);
            return;
        }
        var y0 = new float[rows * Out];
        frozen.Forward(x, y0, rows);          // the unscaled output, recomputed rather than stored
        AddGrad(dy, y0, rows);
        frozen.Backward(Scaled(dy, rows), x, dx, rows);
    }
}
