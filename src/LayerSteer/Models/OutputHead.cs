using LayerSteer.Tensors;

namespace LayerSteer.Models;

/// <summary>Final norm → LM head → optional logit soft-capping (Gemma 2), forward and backward.</summary>
public sealed class OutputHead
{
    public required Norm Norm { get; init; }
    public required Linear Head { get; init; }
    public double? Softcap { get; init; }

    /// <summary>What backward needs.</summary>
    public sealed class Tape { public float[] Input = [], Rstd = [], Normed = [], Logits = []; public float[]? Mean; }

    /// <summary>logits[rows, vocab] for x[rows, hidden].</summary>
    public float[] Forward(ReadOnlySpan<float> x, int rows, Tape? tape = null)
    {
        var normed = new float[x.Length];
        var rstd = new float[rows];
        var mean = Norm.Kind == NormKind.Layer ? new float[rows] : null;
        Norm.Forward(x, normed, rows, rstd, mean);
        var logits = new float[rows * Head.Out];
        Head.Forward(normed, logits, rows);
        if (Softcap is double cap)
            for (int i = 0; i < logits.Length; i++) logits[i] = (float)(cap * Math.Tanh(logits[i] / cap));
        if (tape != null) { tape.Input = x.ToArray(); tape.Rstd = rstd; tape.Mean = mean; tape.Normed = normed; tape.Logits = logits; }
        return logits;
    }

    /// <summary>dx += ∂L/∂x given ∂L/∂logits.</summary>
    public void Backward(ReadOnlySpan<float> dlogits, Tape tape, Span<float> dx, int rows)
    {
        var dl = dlogits.ToArray();
        if (Softcap is double cap)
            for (int i = 0; i < dl.Length; i++) { double t = tape.Logits[i] / cap; dl[i] *= (float)(1 - t * t); }
        var dnormed = new float[rows * Head.In];
        Head.Backward(dl, tape.Normed, dnormed, rows);
        Norm.Backward(dnormed, tape.Input, tape.Rstd, tape.Mean, dx, rows);
    }
}
