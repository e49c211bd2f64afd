using LayerSteer.Inference;
using LayerSteer.Models;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Models;

public class ForwardTests
{
    [SharedTheory]
    [InlineData("llama-tiny", 8)]
    [InlineData("qwen3-tiny", 8)]
    [InlineData("gemma3-tiny", 8)]   // past the sliding window of 3
    [InlineData("olmo2-tiny", 8)]
    [InlineData("phi3-tiny", 6)]     // longrope, like HF, picks its factors per forward: equal up to original_max_position_embeddings
    public void IncrementalDecodingWithCacheEqualsFullForward(string fixture, int length)
    {
        var m = ModelLoader.Load(Shared.Fixture(fixture));
        int[] ids = new[] { 1, 5, 9, 33, 2, 70, 12, 8 }[..length];
        var full = m.Forward([ids], [m.NewCache()], allRows: true);
        var cache = m.NewCache(2);   // tiny capacity: growth is exercised too
        for (int p = 0; p < ids.Length; p++)
        {
            var step = m.Forward([[ids[p]]], [cache]);
            for (int j = 0; j < m.Vocab; j++) Assert.Equal(full[p * m.Vocab + j], step[j], 1e-4f);
        }
    }

    [SharedTheory]
    [InlineData("gemma2-tiny")]   // sliding window + soft-capping in the batch path
    [InlineData("gemma3-tiny")]   // local and global layers with their own RoPE
    [InlineData("phi3-tiny")]     // longrope: short factors for the 3- and 1-token prompts, long ones for the 7-token prompt
    public void BatchOfDifferentLengthsEqualsSeparateRuns(string fixture)
    {
        var m = ModelLoader.Load(Shared.Fixture(fixture));
        int[][] prompts = [[1, 2, 3], [4, 5, 6, 7, 8, 9, 10], [11]];
        var batched = m.Forward(prompts, prompts.Select(_ => m.NewCache()).ToArray());
        for (int s = 0; s < prompts.Length; s++)
        {
            var alone = m.Forward([prompts[s]], [m.NewCache()]);
            for (int j = 0; j < m.Vocab; j++)   // to float rounding (the batched GEMM sums in another order): parity's 1e-4
                Assert.True(Math.Abs(alone[j] - batched[s * m.Vocab + j]) <= 1e-4f, $"{fixture} sequence {s} logit {j}: {alone[j]} alone vs {batched[s * m.Vocab + j]} batched");
        }
    }

    [SharedFact]
    public void Stories260KGreedyDecodeMatchesGolden()
    {
        var golden = File.ReadAllLines(Shared.Path("models", "stories260K-hf", "golden_greedy_bos_64.txt"))
            .First(l => l.StartsWith("ids:")).Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(int.Parse).ToArray();
        var m = ModelLoader.Load(Shared.Model("stories260K-hf"));
        var gen = new Generator(m, null).Generate([[1]], new SamplingOptions { MaxNewTokens = 64, StopAtEos = false });
        Assert.Equal(golden, gen[0].Ids);
    }

    [SharedFact]
    public void SeededSamplingIsReproducibleAndDiffersAcrossSeeds()
    {
        var m = ModelLoader.Load(Shared.Model("stories260K-hf"));
        var g = new Generator(m, null);
        SamplingOptions O(int seed) => new() { Greedy = false, Temperature = 1.0f, TopP = 0.9f, Seed = seed, MaxNewTokens = 32, StopAtEos = false };
        var a = g.Generate([[1]], O(7))[0].Ids;
        var b = g.Generate([[1]], O(7))[0].Ids;
        var c = g.Generate([[1]], O(8))[0].Ids;
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}
