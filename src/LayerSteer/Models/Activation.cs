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
