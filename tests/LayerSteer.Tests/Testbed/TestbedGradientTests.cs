using LayerSteer.Adapters;
using LayerSteer.Testbed;
using LayerSteer.Training;

namespace LayerSteer.Tests.Testbed;

/// <summary>Central differences of the next-token loss against the analytic gradient of every parameter block of the Llama
/// testbed: embeddings (tied and untied LM head), RMSNorm weights, q/k/v/o, gate/up/down.</summary>
public class TestbedGradientTests
{
    static readonly TestbedShape Tiny = new() { Layers = 2, Hidden = 8, Heads = 2, KvHeads = 1, Vocab = 300, Intermediate = 12, MaxPositions = 16 };
    static readonly int[][] Batch = [[0, 17, 250, 3, 99, 17, 41], [0, 5, 5, 280, 12]];

    static TestbedModel Randomised(TestbedShape shape)
    {
        var net = TestbedModel.Init(shape, seed: 3);
        var rng = new Random(11);
        foreach (var p in net.Parameters)   // larger than the init so every block carries visible gradient
            for (int i = 0; i < p.Value.Length; i++)
                p.Value[i] = p.Name.EndsWith("norm.weight") || p.Name.EndsWith("layernorm.weight") ? 1f + (float)(rng.NextDouble() - 0.5) * 0.4f : (float)(rng.NextDouble() * 2 - 1) * 0.5f;
        return net;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryParameterBlockMatchesFiniteDifferences(bool tied)
    {
        var net = Randomised(Tiny with { Tied = tied });
        var loss = new NextTokenLoss(net);
        net.ZeroGrad();
        loss.Evaluate(Batch, withGrad: true);
        var blocks = net.Parameters.Select(p => p.Name).ToList();
        Assert.Contains("model.embed_tokens.weight", blocks);
        Assert.Equal(!tied, blocks.Contains("lm_head.weight"));
        Assert.Equal(2 * 9 + 2 + (tied ? 0 : 1), blocks.Count);   // 9 per layer (2 norms, q, k, v, o, gate, up, down) + embedding + final norm
        var rng = new Random(5);
        foreach (var p in net.Parameters)
        {
            var g = (float[])p.Grad.Clone();
            Assert.True(g.Any(v => v != 0), $"{p.Name}: no gradient");
            int top = Enumerable.Range(0, g.Length).MaxBy(i => Math.Abs(g[i]));
            foreach (int i in new[] { top, rng.Next(g.Length), rng.Next(g.Length) })
            {
                double fd = Central(p, i, () => loss.Evaluate(Batch, withGrad: false));
                Assert.True(Math.Abs(fd - g[i]) <= 2e-4 + 0.02 * Math.Abs(g[i]), $"{p.Name}[{i}]: analytic {g[i]:G6}, finite difference {fd:G6}");
            }
        }
    }

    [Fact]
    public void ShardsOnReplicasAddUpToTheWholeBatchsGradient()
    {   // the trainer's data parallelism: each shard divides by the batch's row count, and the replica shares the weights
        var net = Randomised(Tiny);
        var replica = net.Replica();
        Assert.Same(net.Embedding.Value, replica.Embedding.Value);
        net.ZeroGrad();
        double whole = new NextTokenLoss(net).Evaluate(Batch, withGrad: true);
        var expected = net.Parameters.Select(p => (float[])p.Grad.Clone()).ToList();

        int rows = Batch.Sum(s => s.Length - 1);
        net.ZeroGrad(); replica.ZeroGrad();
        double a = new NextTokenLoss(net).Evaluate(Batch[..1], withGrad: true, meanOver: rows);
        double b = new NextTokenLoss(replica).Evaluate(Batch[1..], withGrad: true, meanOver: rows);
        Assert.Equal(whole, (a * (Batch[0].Length - 1) + b * (Batch[1].Length - 1)) / rows, 5);
        for (int i = 0; i < expected.Count; i++)
            for (int j = 0; j < expected[i].Length; j++)
            {
                float sum = net.Parameters[i].Grad[j] + replica.Parameters[i].Grad[j];
                Assert.True(Math.Abs(sum - expected[i][j]) <= 1e-5f + 1e-4f * Math.Abs(expected[i][j]), $"{net.Parameters[i].Name}[{j}]: shards {sum}, whole {expected[i][j]}");
            }
    }

    static double Central(Parameter p, int i, Func<double> f)
    {
        const float h = 1e-2f;
        float keep = p.Value[i];
        p.Value[i] = keep + h; double up = f();
        p.Value[i] = keep - h; double down = f();
        p.Value[i] = keep;
        return (up - down) / (2 * h);
    }

    [Fact]
    public void GradientsOfABatchAreTheSumOfItsSequences()
    {
        // Mean over all rows: each sequence's gradient weighted by its share of the rows.
        var net = Randomised(Tiny);
        var loss = new NextTokenLoss(net);
        net.ZeroGrad();
        loss.Evaluate(Batch, withGrad: true);
        var both = net.Parameters.Select(p => (float[])p.Grad.Clone()).ToArray();
        int rows0 = Batch[0].Length - 1, rows1 = Batch[1].Length - 1;
        var parts = new List<float[][]>();
        foreach (var s in Batch)
        {
            net.ZeroGrad();
            new NextTokenLoss(net).Evaluate([s], withGrad: true);
            parts.Add(net.Parameters.Select(p => (float[])p.Grad.Clone()).ToArray());
        }
        for (int k = 0; k < both.Length; k++)
            for (int i = 0; i < both[k].Length; i++)
            {
                double expect = (parts[0][k][i] * rows0 + parts[1][k][i] * rows1) / (rows0 + rows1);
                Assert.True(Math.Abs(expect - both[k][i]) <= 1e-5 + 1e-3 * Math.Abs(expect), $"{net.Parameters[k].Name}[{i}]");
            }
    }

    [Fact]
    public void LargeAttentionScoresStayFinite()
    {
        // Training can grow q·k past 88, where exp overflows: attention must subtract the max before its softmax.
        var net = Randomised(Tiny);
        foreach (var p in net.Parameters.Where(p => p.Name.EndsWith("q_proj.weight") || p.Name.EndsWith("k_proj.weight")))
            for (int i = 0; i < p.Value.Length; i++) p.Value[i] *= 40;
        net.ZeroGrad();
        double loss = new NextTokenLoss(net).Evaluate(Batch, withGrad: true);
        Assert.True(double.IsFinite(loss), $"loss {loss}");
        Assert.All(net.Parameters, p => Assert.True(p.Grad.All(float.IsFinite), p.Name));
    }
}
