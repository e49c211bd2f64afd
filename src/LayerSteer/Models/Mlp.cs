using LayerSteer.Tensors;

namespace LayerSteer.Models;

/// <summary>The feed-forward block: gated (Llama SwiGLU, Gemma GeGLU: down(f(gate·x) ⊙ up·x))
/// or plain (GPT-2: proj(f(fc·x))). Forward and backward side by side.</summary>
public sealed class Mlp
{
    public Linear? Gate { get; }
    public Linear Up { get; }
    public Linear Down { get; }
    readonly bool _silu;

    public Mlp(Linear? gate, Linear up, Linear down, string activation)
    {
        (Gate, Up, Down) = (gate, up, down);
        _silu = Activation.IsSilu(activation);
    }

    float F(float x) => _silu ? Activation.Silu(x) : Activation.GeluTanh(x);
    float FGrad(float x) => _silu ? Activation.SiluGrad(x) : Activation.GeluTanhGrad(x);

    /// <summary>Pre-activations kept for backward.</summary>
    public sealed class Tape { public float[] G = [], U = []; }

    public void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, Tape? tape)
    {
        int inner = Up.Out;
        var u = new float[rows * inner];
        Up.Forward(x, u, rows);
        var act = new float[rows * inner];
        float[] g = [];
        if (Gate != null)
        {
            g = new float[rows * inner];
            Gate.Forward(x, g, rows);
            for (int i = 0; i < act.Length; i++) act[i] = F(g[i]) * u[i];
        }
        else for (int i = 0; i < act.Length; i++) act[i] = F(u[i]);
        Down.Forward(act, y, rows);
        if (tape != null) { tape.G = g; tape.U = u; }
    }

    /// <summary>dx += ∂/∂x given dy.</summary>
    public void Backward(ReadOnlySpan<float> dy, Span<float> dx, int rows, Tape tape)
    {
        int inner = Up.Out;
        var dact = new float[rows * inner];
        Down.BackwardInput(dy, dact, rows);
        var du = new float[rows * inner];
        if (Gate != null)
        {
            var dg = new float[rows * inner];
            for (int i = 0; i < dact.Length; i++)
            {
                float g = tape.G[i];
                du[i] = dact[i] * F(g);
                dg[i] = dact[i] * tape.U[i] * FGrad(g);
            }
            Gate.BackwardInput(dg, dx, rows);
        }
        else for (int i = 0; i < dact.Length; i++) du[i] = dact[i] * FGrad(tape.U[i]);
        Up.BackwardInput(du, dx, rows);
    }
}
