using System.Numerics.Tensors;
using LayerSteer.Models;
using LayerSteer.Tensors;

namespace LayerSteer.Training;

/// <summary>How the target tokens' negative log-likelihood is reduced: the paper's first token, or all
/// target tokens (teacher forced) summed or averaged.</summary>
public enum TokenReduction { First, Sum, Mean }

/// <summary>L_task for one example from the logits of its scored rows; writes ∂L/∂logits.</summary>
public abstract class TaskLoss
{
    /// <summary>How many suffix rows of an example with <paramref name="targetCount"/> targets are scored.</summary>
    public abstract int ScoredRows(int targetCount);

    /// <summary>Loss of example <paramref name="example"/> given logits [ScoredRows, vocab]; writes every entry of dlogits (same
    /// shape: its buffer is reused, not cleared).</summary>
    public abstract double Evaluate(int example, int[] targets, ReadOnlySpan<float> logits, Span<float> dlogits, int vocab);

    /// <summary>What <see cref="OverBatch"/> reuses from call to call: the LM head's activations, ∂L/∂logits, the scored rows.</summary>
    public sealed class Workspace
    {
        public readonly OutputHead.Tape Head = new();
        public float[] DLogits = [];
        public int[] Scored = [], ScoredOf = [];
    }

    /// <summary>Mean loss over a batch of examples from the final residual x[rows, hidden], example i's scored rows starting at
    /// row firstRow[i] (its last prompt token); with <paramref name="dx"/>, adds ∂(mean loss)/∂x to it. A caller that evaluates
    /// again and again passes the same <paramref name="ws"/>.</summary>
    public double OverBatch(Transformer m, IReadOnlyList<Example> examples, IReadOnlyList<int> firstRow, ReadOnlySpan<float> x, float[]? dx,
        Workspace? ws = null)
    {
        ws ??= new Workspace();
        int n = examples.Count, vocab = m.Vocab, total = 0;
        for (int i = 0; i < n; i++) total += ScoredRows(examples[i].Target.Length);
        var scored = Buffers.Sized(ref ws.Scored, total);
        var scoredOf = Buffers.Sized(ref ws.ScoredOf, n);
        for (int i = 0, c = 0; i < n; i++)
        {
            scoredOf[i] = c;
            for (int k = 0; k < ScoredRows(examples[i].Target.Length); k++) scored[c++] = firstRow[i] + k;
        }
        var logits = m.Logits(x, scored, ws.Head);
        var dlogits = Buffers.Sized(ref ws.DLogits, logits.Length);
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            int k0 = scoredOf[i], nk = ScoredRows(examples[i].Target.Length);
            loss += Evaluate(i, examples[i].Target, logits.AsSpan(k0 * vocab, nk * vocab), dlogits.AsSpan(k0 * vocab, nk * vocab), vocab);
        }
        if (dx == null) return loss / n;
        TensorPrimitives.Multiply(dlogits, 1f / n, dlogits);
        m.LogitsBackward(dlogits, ws.Head, dx, scored);
        return loss / n;
    }

    /// <summary>−log p(target) per scored row, reduced as asked.</summary>
    public sealed class Nll(TokenReduction reduction) : TaskLoss
    {
        public TokenReduction Reduction => reduction;

        public override int ScoredRows(int targetCount) => reduction == TokenReduction.First ? 1 : targetCount;

        public override double Evaluate(int example, int[] targets, ReadOnlySpan<float> logits, Span<float> dlogits, int vocab)
        {
            int n = ScoredRows(targets.Length);
            float w = reduction == TokenReduction.Mean ? 1f / n : 1f;
            double loss = 0;
            for (int i = 0; i < n; i++)
            {
                var d = dlogits.Slice(i * vocab, vocab);
                loss += w * SoftmaxNll(logits.Slice(i * vocab, vocab), targets[i], d);
                TensorPrimitives.Multiply(d, w, d);
            }
            return loss;
        }
    }

    /// <summary>−log softmax(z)[t]; d = softmax(z) − onehot(t). Computed in double around the max for stability.</summary>
    public static double SoftmaxNll(ReadOnlySpan<float> z, int t, Span<float> d)
    {
        float max = TensorPrimitives.Max(z);
        double sum = 0;
        for (int j = 0; j < z.Length; j++) sum += Math.Exp(z[j] - max);
        double logZ = max + Math.Log(sum);
        for (int j = 0; j < z.Length; j++) d[j] = (float)Math.Exp(z[j] - logZ);
        d[t] -= 1f;
        return logZ - z[t];
    }
}
