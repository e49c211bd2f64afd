using LayerSteer.Tensors;

namespace LayerSteer.Models;

/// <summary>Final norm → LM head → optional logit soft-capping (Gemma 2), forward and backward.</summary>
public sealed class OutputHead
{
    public required Norm Norm { get; init; }
    public required Linear Head { get; init; }
    public double? Softcap { get; init; }

    /// <summary>The head's activations and backward's temporaries, reused from step to step: Input is its input rows (the
    /// caller may gather them there itself), Logits its output.</summary>
    public sealed class Tape
    {
        public float[] Input = [], Rstd = [], Mean = [], Normed = [], Logits = [];
        public float[] DLogits = [], DNormed = [], DInput = [];
    }

    /// <summary>logits[rows, vocab] for x[rows, hidden], written to the tape's Logits (a fresh tape when none is given).</summary>
    public float[] Forward(ReadOnlySpan<float> x, int rows, Tape? tape = null)
    {
        var t = tape ?? new Tape();
        int len = rows * Head.In;
        if (x != t.Input) x[..len].CopyTo(Buffers.Sized(ref t.Input, len));
        var normed = Buffers.Sized(ref t.Normed, len);
        Norm.Forward(t.Input, normed, rows, Buffers.Sized(ref t.Rstd, rows), Norm.MeanBuffer(ref t.Mean, rows));
        var logits = Buffers.Sized(ref t.Logits, rows * Head.Out);
        Head.Forward(normed, logits, rows);
        if (Softcap is double cap)
            for (int i = 0; i < logits.Length; i++) logits[i] = (float)(cap * Math.Tanh(logits[i] / cap));
        return logits;
    }

    /// <summary>dx += ∂L/∂x given ∂L/∂logits.</summary>
    public void Backward(ReadOnlySpan<float> dlogits, Tape t, Span<float> dx, int rows)
    {
        ReadOnlySpan<float> dl = dlogits;
        if (Softcap is double cap)
        {
            var scaled = Buffers.Sized(ref t.DLogits, dlogits.Length);
            for (int i = 0; i < scaled.Length; i++) { double th = t.Logits[i] / cap; scaled[i] = dlogits[i] * (float)(1 - th * th); }
            dl = scaled;
        }
        var dnormed = Buffers.Zeroed(ref t.DNormed, rows * Head.In);
        Head.Backward(dl, t.Normed, dnormed, rows);
        Norm.Backward(dnormed, t.Input, t.Rstd, Norm.MeanBuffer(ref t.Mean, rows), dx, rows);
    }
}
