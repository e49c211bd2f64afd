using System.Runtime.Intrinsics;

namespace LayerSteer.Models;

/// <summary>The MLP nonlinearities of the supported families with their derivatives.</summary>
public static class Activation
{
    const double Sqrt2OverPi = 0.7978845608028654;

    /// <summary>True for SiLU ("silu", "swish": Llama, Mistral, Qwen2); false for tanh-approximated GELU ("gelu_pytorch_tanh":
    /// Gemma 2; "gelu_new", "gelu_fast": GPT-2); exact erf "gelu" is rejected rather than approximated.</summary>
    public static bool IsSilu(string name) => name switch
    {
        "silu" or "swish" => true,
        "gelu_pytorch_tanh" or "gelu_new" or "gelu_fast" => false,
        _ => throw new LayerSteerException($"activation \"{name}\" is not supported (supported: silu, gelu_pytorch_tanh, gelu_new)"),
    };

    public static float Silu(float x) => x / (1f + MathF.Exp(-x));

    /// <summary>act = silu(g) ⊙ u, 8 lanes at a time where the hardware has them; the last partial vector is padded, so every
    /// element takes the same lane arithmetic wherever it falls (a row decoded alone equals the same row in a batch).</summary>
    public static void GatedSilu(ReadOnlySpan<float> g, ReadOnlySpan<float> u, Span<float> act)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            for (int i = 0; i < act.Length; i++) act[i] = Silu(g[i]) * u[i];
            return;
        }
        Span<float> pad = stackalloc float[Vector256<float>.Count];
        for (int i = 0; i < act.Length; i += Vector256<float>.Count)
        {
            int n = Math.Min(Vector256<float>.Count, act.Length - i);
            Vector256<float> gv, uv;
            if (n == Vector256<float>.Count) { gv = Vector256.Create(g.Slice(i, n)); uv = Vector256.Create(u.Slice(i, n)); }
            else
            {
                pad.Clear(); g.Slice(i, n).CopyTo(pad); gv = Vector256.Create<float>(pad);
                pad.Clear(); u.Slice(i, n).CopyTo(pad); uv = Vector256.Create<float>(pad);
            }
            var a = gv / (Vector256<float>.One + Vector256.Exp(-gv)) * uv;
            if (n == Vector256<float>.Count) a.CopyTo(act.Slice(i, n));
            else { a.CopyTo(pad); pad[..n].CopyTo(act.Slice(i, n)); }
        }
    }

    public static float SiluGrad(float x)
    {
        float s = 1f / (1f + MathF.Exp(-x));
        return s * (1f + x * (1f - s));
    }

    public static float GeluTanh(float x)
    {
        double t = Math.Tanh(Sqrt2OverPi * (x + 0.044715 * x * x * x));
        return (float)(0.5 * x * (1 + t));
    }

    public static float GeluTanhGrad(float x)
    {
        double u = Sqrt2OverPi * (x + 0.044715 * x * x * x);
        double t = Math.Tanh(u);
        return (float)(0.5 * (1 + t) + 0.5 * x * (1 - t * t) * Sqrt2OverPi * (1 + 3 * 0.044715 * x * x));
    }
}
