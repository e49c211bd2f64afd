using LayerSteer.Adapters;
using LayerSteer.Tensors;
using LayerSteer.Training;

namespace LayerSteer.Testbed;

/// <summary>A linear map y = x·Wᵀ whose weight W [out, in] is trained: backward adds dW = dyᵀ·x (summed over the rows)
/// to the parameter's gradient besides the input gradient.</summary>
public sealed class TrainableLinear(Parameter w, int outDim, int inDim) : ILinear
{
    public Parameter W { get; } = w.Value.Length == (long)outDim * inDim ? w
        : throw new ArgumentException($"{w.Name} has {w.Value.Length} values, expected {outDim}×{inDim}");
    public int In => inDim;
    public int Out => outDim;

    public void Forward(ReadOnlySpan<float> x, Span<float> y, int rows) => Gemm.LinearForward(x, W.Value, y, rows, In, Out);

    public void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, int rows)
    {
        Gemm.Sgemm(true, false, Out, In, rows, 1f, dy, Out, x, In, 1f, W.Grad, In);        // dW += dyᵀ·x
        Gemm.Sgemm(false, false, rows, In, Out, 1f, dy, Out, W.Value, In, 1f, dx, In);     // dx += dy·W
    }
}
