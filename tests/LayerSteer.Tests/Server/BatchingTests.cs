using System.Text.Json;
using LayerSteer.Inference;
using LayerSteer.Intervention;
using LayerSteer.Server;
using LayerSteer.Tensors;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Server;

/// <summary>Batching does not change answers: 16 sequences with 16 different steering settings (none, the antonym Δ at several
/// scales, at every token, inline vectors at other layers and at the block output, sums) decoded together give exactly the ids each gives alone, which
/// are the ids the library's Generator gives with SiteAddition (what `generate --vector` runs).</summary>
[Collection(ServerCollection.Name)]
public sealed class BatchingTests(ServerFixture fx)
{
    const int Rows = 16;

    float[] RandomDelta(int seed, VectorSite site = VectorSite.OProjInput)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, VectorSites.Width(fx.Bundle.Model, site)).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }

    Addition Residual(int i, ApplyMode mode) => new(i % fx.Bundle.Model.Config.NumLayers, RandomDelta(200 + i, VectorSite.BlockOutput), 0.5f, mode, VectorSite.BlockOutput);

    // Row i's steering: a different mix of vectors, scales, layers, sites and apply modes for each i.
    List<Addition> SteeringOf(int i)
    {
        int layers = fx.Bundle.Model.Config.NumLayers;
        var a = fx.Antonym;
        return (i % 4) switch
        {
            0 when i == 0 => [],
            0 => [a.ToAddition(0.25f * i)],
            1 when i == 13 => [a.ToAddition(1f), Residual(i, ApplyMode.All)],
            1 => [a.ToAddition(1f), new Addition(i % layers, RandomDelta(i), 0.5f, ApplyMode.Last)],
            2 => [new Addition(a.Layer, a.Delta, 0.5f + 0.1f * i, ApplyMode.All)],
            _ when i == 7 => [Residual(i, ApplyMode.Every)],
            _ when i == 15 => [Residual(i, ApplyMode.Last)],
            _ => [new Addition(i % layers, RandomDelta(100 + i), 1f, i % 8 == 3 ? ApplyMode.All : ApplyMode.Last)],
        };
    }

    string PromptOf(int i) => $"Q: {fx.Split.Test[i].Input}\nA:";

    [Fact]
    public async Task SixteenSteeredRowsTogetherGiveTheIdsEachGivesAlone()
    {
        var tok = fx.Bundle.RequireTokenizer();
        var o = new SamplingOptions { MaxNewTokens = 24 };
        using var sched = new BatchScheduler(fx.Bundle.Model, tok, new BatchLimits { MaxBatch = Rows });
        var jobs = Enumerable.Range(0, Rows).Select(i => new SequenceJob(tok.Encode(PromptOf(i)), o, SteeringOf(i), 0)).ToArray();

        var alone = new List<int[]>();
        foreach (var j in jobs) alone.Add((await sched.Run(j)).Ids);
        long before = sched.Stats.Steps;
        var together = await Task.WhenAll(jobs.Select(j => sched.Run(j)));
        long batchedSteps = sched.Stats.Steps - before;

        var gen = new Generator(fx.Bundle.Model, tok);
        Gemm.RowExact = true;   // the scheduler's kernels, on this thread
        try
        {
            for (int i = 0; i < Rows; i++)
            {
                Assert.Equal(alone[i], together[i].Ids);
                var lib = gen.Generate([jobs[i].Prompt], o, new SiteAddition(jobs[i].Steering, [jobs[i].Prompt.Length]))[0];
                Assert.Equal(lib.Ids, alone[i]);
            }
        }
        finally { Gemm.RowExact = false; }
        Assert.True(alone.Select(x => string.Join(",", x)).Distinct().Count() >= 8, "the settings should not all give the same continuation");
        Assert.True(batchedSteps <= 24 + Rows, $"{batchedSteps} decode steps for {Rows} rows of ≤ 24 tokens: they were not batched");
    }

    [Fact]
    public async Task SixteenRowsOnMapped16BitWeightsGiveTheIdsEachGivesAlone()
    {
        // The testbed with its BF16 weights kept in the mapped file: the scheduler's products run RowExactStoredGemm, not a packed copy.
        using var model = LayerSteer.Models.ModelLoader.Load(TestModels.Testbed, keep16Bit: true);
        Assert.Equal(DType.BF16, Assert.IsType<Linear>(model.Layers[0].Q).StorageDType);
        var tok = fx.Bundle.RequireTokenizer();
        var o = new SamplingOptions { MaxNewTokens = 16 };
        using var sched = new BatchScheduler(model, tok, new BatchLimits { MaxBatch = Rows });
        var jobs = Enumerable.Range(0, Rows).Select(i => new SequenceJob(tok.Encode(PromptOf(i)), o, SteeringOf(i), 0)).ToArray();
        var alone = new List<int[]>();
        foreach (var j in jobs) alone.Add((await sched.Run(j)).Ids);
        var together = await Task.WhenAll(jobs.Select(j => sched.Run(j)));
        for (int i = 0; i < Rows; i++) Assert.Equal(alone[i], together[i].Ids);
        Assert.True(alone.Select(x => string.Join(",", x)).Distinct().Count() >= 8, "the settings should not all give the same continuation");
    }

    object Body(int i)
    {
        var vectors = SteeringOf(i).Select(a => a.Delta == fx.Antonym.Delta
            ? (object)new { name = "antonym", scale = a.Scale, apply = ApplyModes.Name(a.Mode) }
            : new { layer = a.Layer, site = SteeringSpec.SiteName(a.Site), data = Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.Delta.AsSpan()).ToArray()), scale = a.Scale, apply = ApplyModes.Name(a.Mode) });
        return new { model = fx.ModelId, prompt = PromptOf(i), max_tokens = 24, temperature = 0, logprobs = 1, steering = new { vectors = vectors.ToArray() } };
    }

    [Fact]
    public async Task SixteenConcurrentHttpRequestsAnswerAsEachAlone()
    {
        static string Key(JsonElement r)
        {
            var c = r.GetProperty("choices")[0];
            return c.GetProperty("text").GetString() + "|" + c.GetProperty("logprobs").GetProperty("token_logprobs").GetRawText();
        }
        var alone = new List<string>();
        for (int i = 0; i < Rows; i++)
        {
            var (status, body) = await fx.Post("v1/completions", Body(i));
            Assert.True(status == 200, body.ToString());
            alone.Add(Key(body));
        }
        var together = await Task.WhenAll(Enumerable.Range(0, Rows).Select(i => fx.Post("v1/completions", Body(i))));
        for (int i = 0; i < Rows; i++)
        {
            Assert.Equal(200, together[i].Status);
            Assert.Equal(alone[i], Key(together[i].Body));   // same text and bit-identical log-probabilities
        }
    }
}
