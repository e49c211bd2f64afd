using LayerSteer.Tensors;

namespace LayerSteer.Models;

/// <summary>The feed-forward block: gated (Llama SwiGLU, Gemma GeGLU: down(f(gate·x) ⊙ up·x))
/// or plain (GPT-2: proj(f(fc·x))). Forward and backward side by side.</summary>
public sealed class Mlp
{
    public ILinear? Gate { get; }
    public ILinear Up { get; }
    public ILinear Down { get; }
    public string ActivationName { get; }
    readonly bool _silu;

    public Mlp(ILinear? gate, ILinear up, ILinear down, string activation)
    {
        (Gate, Up, Down, ActivationName) = (gate, up, down, activation);
        _silu = Activation.IsSilu(activation);
    }

    /// <summary>This block with its down projection replaced (an adapter around it).</summary>
    public Mlp WithDown(ILinear down) => new(Gate, Up, down, ActivationName);

    float F(float x) => _silu ? Activation.Silu(x) : Activation.GeluTanh(x);
    float FGrad(float x) => _silu ? Activation.SiluGrad(x) : Activation.GeluTanhGrad(x);

    /// <summary>Pre-activations and the down projection's input (kept for backward, reused from step to step).</summary>
    public sealed class Tape { public float[] G = [], U = [], Act = []; }

    /// <summary>Backward's temporaries, shared by every layer of a backward pass.</summary>
    public sealed class Gradients { public float[] DAct = [], DU = [], DG = []; }

    public void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, Tape t)
    {
        int n = rows * Up.Out;
        var u = Buffers.Sized(ref t.U, n);
        Up.Forward(x, u, rows);
        var act = Buffers.Sized(ref t.Act, n);
        if (Gate != null)
        {
            var g = Buffers.Sized(ref t.G, n);
            Gate.Forward(x, g, rows);
            if (_silu) Activation.GatedSilu(g, u, act);
            else for (int i = 0; i < act.Length; i++) act[i] = F(g[i]) * u[i];
        }
        else for (int i = 0; i < act.Length; i++) act[i] = F(u[i]);
        Down.Forward(act, y, rows);
    }

    /// <summary>dx += ∂/∂x given dy and the forward input x.</summary>
    public void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, int rows, Tape t, Gradients grads)
    {
        int n = rows * Up.Out;
        var dact = Buffers.Zeroed(ref grads.DAct, n);
        Down.Backward(dy, t.Act, dact, rows);
        var du = Buffers.Sized(ref grads.DU, n);
        if (Gate != null)
        {
            var dg = Buffers.Sized(ref grads.DG, n);
            for (int i = 0; i < dact.Length; i++)
            {
                float g = t.G[i];
                du[i] = dact[i] * F(g);
                dg[i] = dact[i] * t.U[i] * FGrad(g);
            }
            Gate.Backward(dg, x, dx, rows);
        }
        else for (int i = 0; i < dact.Length; i++) du[i] = dact[i] * FGrad(t.U[i]);
        Up.Backward(du, x, dx, rows);
    }
}
