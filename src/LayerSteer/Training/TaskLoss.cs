using System.Numerics.Tensors;
using LayerSteer.Models;

namespace LayerSteer.Training;

/// <summary>How the target tokens' negative log-likelihood is reduced: the paper's first token, or all
/// target tokens (teacher forced) summed or averaged.</summary>
public enum TokenReduction { First, Sum, Mean }

/// <summary>L_task for one example from the logits of its scored rows; writes ∂L/∂logits.</summary>
public abstract class TaskLoss
{
    /// <summary>How many suffix rows of an example with <paramref name="targetCount"/> targets are scored.</summary>
    public abstract int ScoredRows(int targetCount);

    /// <summary>Loss of example <paramref name="example"/> given logits [ScoredRows, vocab]; fills dlogits (same shape).</summary>
    public abstract double Evaluate(int example, int[] targets, ReadOnlySpan<float> logits, Span<float> dlogits, int vocab);

    /// <summary>Mean loss over a batch of examples from the final residual x[rows, hidden], example i's scored rows starting at
    /// row firstRow[i] (its last prompt token); with <paramref name="dx"/>, adds ∂(mean loss)/∂x to it.</summary>
    public double OverBatch(Transformer m, IReadOnlyList<Example> examples, IReadOnlyList<int> firstRow, ReadOnlySpan<float> x, float[]? dx)
    {
        int n = examples.Count, vocab = m.Vocab;
        var scored = new List<int>();
        var scoredOf = new int[n];
        for (int i = 0; i < n; i++)
        {
            scoredOf[i] = scored.Count;
            for (int k = 0; k < ScoredRows(examples[i].Target.Length); k++) scored.Add(firstRow[i] + k);
        }
        var headTape = dx != null ? new OutputHead.Tape() : null;
        var logits = m.Logits(x, scored, headTape);
        var dlogits = new float[logits.Length];
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            int k0 = scoredOf[i], nk = ScoredRows(examples[i].Target.Length);
            loss += Evaluate(i, examples[i].Target, logits.AsSpan(k0 * vocab, nk * vocab), dlogits.AsSpan(k0 * vocab, nk * vocab), vocab);
        }
        if (dx == null) return loss / n;
        TensorPrimitives.Multiply(dlogits, 1f / n, dlogits);
        m.LogitsBackward(dlogits, headTape!, dx, scored);
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
