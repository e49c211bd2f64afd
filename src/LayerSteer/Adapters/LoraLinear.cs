using LayerSteer.Tensors;
using LayerSteer.Training;

namespace LayerSteer.Adapters;

/// <summary>LoRA: y = W·x + (α/r)·B·(A·x) around a frozen map W. A [r, in] starts small and random, B [out, r] at zero,
/// so training starts exactly at the base model.</summary>
public sealed class LoraLinear : ILinear
{
    readonly ILinear _base;
    readonly int _r;
    readonly float _scale;
    public Parameter A { get; }
    public Parameter B { get; }
    public int In => _base.In;
    public int Out => _base.Out;

    public LoraLinear(ILinear frozen, string name, int rank, float alpha, Random rng)
    {
        (_base, _r, _scale) = (frozen, rank, alpha / rank);
        // PEFT's default: A ~ U(−1/√in, 1/√in) (Kaiming-uniform with a = √5), B = 0.
        float bound = 1f / MathF.Sqrt(frozen.In);
        A = new Parameter(name + ".lora_A", Enumerable.Range(0, rank * frozen.In).Select(_ => (float)(rng.NextDouble() * 2 - 1) * bound).ToArray());
        B = new Parameter(name + ".lora_B", new float[frozen.Out * rank]);
    }

    // ax[rows, r] = x·Aᵀ
    float[] Down(ReadOnlySpan<float> x, int rows)
    {
        var ax = new float[rows * _r];
        Gemm.Sgemm(false, true, rows, _r, In, 1f, x, In, A.Value, In, 0f, ax, _r);
        return ax;
    }

    public void Forward(ReadOnlySpan<float> x, Span<float> y, int rows)
    {
        _base.Forward(x, y, rows);
        Gemm.Sgemm(false, true, rows, Out, _r, _scale, Down(x, rows), _r, B.Value, _r, 1f, y, Out);
    }

    public void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, int rows)
    {
        _base.Backward(dy, x, dx, rows);
        var ax = Down(x, rows);
        Gemm.Sgemm(true, false, Out, _r, rows, _scale, dy, Out, ax, _r, 1f, B.Grad, _r);        // dB += s·dyᵀ·ax
        var dax = new float[rows * _r];
        Gemm.Sgemm(false, false, rows, _r, Out, _scale, dy, Out, B.Value, _r, 0f, dax, _r);     // dax = s·dy·B
        Gemm.Sgemm(true, false, _r, In, rows, 1f, dax, _r, x, In, 1f, A.Grad, In);               // dA += daxᵀ·x
        Gemm.Sgemm(false, false, rows, In, _r, 1f, dax, _r, A.Value, In, 1f, dx, In);            // dx += dax·A
    }
}
