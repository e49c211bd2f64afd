using System.CommandLine;
using System.Text.Json;
using LayerSteer.Cli.Commands;
using LayerSteer.Formats;
using LayerSteer.Models;
using LayerSteer.Tests.Support;
using LayerSteer.Verification;

namespace LayerSteer.Tests.Bench;

public class BenchmarkTests
{
    [Fact]
    public void TimingSummarisesRepeats()
    {
        var odd = new Timing([0.3, 0.1, 0.2]);
        Assert.Equal(0.2, odd.Median);
        Assert.Equal(1.0, odd.Spread, 12);
        var even = new Timing([4.0, 1.0, 3.0, 2.0]);
        Assert.Equal(2.5, even.Median);
        Assert.Equal(1.0, even.Min);
        Assert.Equal(4.0, even.Max);
    }

    [Fact]
    public void TimeCountsBodyNotSetupAndRunsWarmups()
    {
        int setups = 0, bodies = 0;
        var t = Benchmark.Time(2, 3, () => { setups++; Thread.Sleep(200); return () => { bodies++; Thread.Sleep(15); }; }, inner: 2);
        Assert.Equal(5, setups);
        Assert.Equal(10, bodies);
        Assert.Equal(3, t.Seconds.Length);
        Assert.All(t.Seconds, s => Assert.InRange(s, 0.014, 0.15));   // per body call; the 200 ms setup is not counted
    }

    static ModelConfig Config(int vocab, int? bos, params int[] eos) => new()
    {
        ModelType = "llama", VocabSize = vocab, HiddenSize = 8, IntermediateSize = 8, NumLayers = 1, NumHeads = 1, NumKvHeads = 1,
        HeadDim = 8, NormEps = 1e-5, BosTokenId = bos, EosTokenIds = eos, MaxPositions = 64,
    };

    [Fact]
    public void RandomIdsStayInVocabAndSkipSpecials()
    {
        var c = Config(6, 0, 2, 5);
        var ids = BenchmarkSuite.RandomIds(c, new Random(7), 500);
        Assert.All(ids, id => Assert.Contains(id, new[] { 1, 3, 4 }));
        Assert.Equal(new[] { 1, 3, 4 }, ids.Distinct().Order());
        Assert.Equal(ids, BenchmarkSuite.RandomIds(c, new Random(7), 500));
        Assert.Throws<LayerSteerException>(() => BenchmarkSuite.RandomIds(Config(2, 0, 1), new Random(7), 1));
    }

    [SharedFact]
    public void RejectsLengthsBeyondMaxPositions()
    {
        var m = ModelLoader.Load(Shared.Model("wordworld-v1"));   // max_position_embeddings 256
        var e = Assert.Throws<LayerSteerException>(() => new BenchmarkSuite(m, new BenchmarkOptions { PromptTokens = 200, DecodeTokens = 57 }));
        Assert.Contains("max_position_embeddings (256)", e.Message);
        Assert.Equal(253, new BenchmarkSuite(m, new BenchmarkOptions { FitLongPrompt = 1000 }).FitLongPrompt);
    }

    [SharedFact]
    public void SuiteMeasuresEveryPartOnARealModel()
    {
        var m = ModelLoader.Load(Shared.Model("stories260K-hf"));
        var o = new BenchmarkOptions { PromptTokens = 16, DecodeTokens = 4, Batch = 2, Repeat = 3, Warmup = 0, FitLongPrompt = 60, BandwidthArrayFloats = 1 << 20 };
        var r = new BenchmarkSuite(m, o).Run();
        foreach (var row in r.Rows)
            Assert.True(row.Rate > 0 && double.IsFinite(row.Rate), $"{row.Name}: rate {row.Rate}");
        Assert.Equal(2 * 16, r.BatchPrefill!.WorkPerRun);
        Assert.Equal(2 * 4, r.BatchDecode!.WorkPerRun);
        Assert.Empty(r.Skipped);
        Assert.All(r.Rows, row => Assert.True(row.PeakAnonymousBytes > 0, $"{row.Name}: no anonymous memory read"));
        // Every linear layer of one forward pass is timed once per shape: 7 per Llama layer plus the LM head.
        Assert.Equal(7 * m.Config.NumLayers + 1, r.Gemm.Sum(g => g.Count));
        Assert.All(r.Gemm, g => Assert.Equal(16, g.Rows));
        // A decode token reads every matrix once: stories260K-hf is F32 (mapped in place), untied.
        var c = m.Config;
        long perLayer = (long)c.HiddenSize * (c.NumHeads * c.HeadDim) * 2 + 2L * c.HiddenSize * (c.NumKvHeads * c.HeadDim) + 3L * c.HiddenSize * c.IntermediateSize;
        Assert.Equal(4 * (c.NumLayers * perLayer + (long)c.VocabSize * c.HiddenSize), r.WeightBytesPerToken);
        Assert.Equal(r.WeightBytesPerToken * r.Decode!.Rate / 1e9, r.DecodeWeightGBs!.Value, 1e-9);
        // The ratio is of the two fit rows' medians (how large it is, is the bench's to report, not a test's to time).
        Assert.Equal(r.FitFull!.Time.Median / r.FitLong!.Time.Median, r.SuffixSpeedup!.Value);
        Assert.All(r.Rows, row => Assert.True(row.AllocatedPerUnit >= 0 && double.IsFinite(row.AllocatedPerUnit), $"{row.Name}: allocated {row.AllocatedPerUnit}"));
    }

    [SharedFact]
    public void RowsThatWouldNotFitAreSkippedWithTheReasonAndTheRestRun()
    {
        var m = ModelLoader.Load(Shared.Model("stories260K-hf"));
        var o = new BenchmarkOptions
        {
            PromptTokens = 8, DecodeTokens = 2, Batch = 2, Repeat = 1, Warmup = 0, FitLongPrompt = 40,
            Parts = BenchParts.Fit | BenchParts.Full | BenchParts.Lora, MemoryBudgetBytes = 1 << 16,
        };
        var suite = new BenchmarkSuite(m, o);
        // stories260K: 10 × 43 rows × (5 − 1) layers of tape, far more than 64 KiB, far less than a GiB.
        Assert.InRange(suite.FullSequenceBytes(40), 1L << 16, 1L << 30);
        var r = suite.Run();
        Assert.Equal(["Δ fit step, full fwd/bwd", "LoRA step, full sequence"], r.Skipped.Select(k => k.Name));
        Assert.All(r.Skipped, k => Assert.Contains("budget", k.Reason));
        Assert.Null(r.FitFull);
        Assert.Null(r.SuffixSpeedup);
        Assert.NotNull(r.FitShort);
        Assert.Null(r.Prefill);   // not asked for
        Assert.Equal(2, r.Rows.Length);
    }

    [SharedFact]
    public void RowsOptionRunsOnlyTheNamedMeasurementsAndRejectsUnknownNames()
    {
        using var tmp = new TempDir();
        string model = Shared.Model("stories260K-hf"), json = tmp.File("bench.json");
        var root = new RootCommand { BenchCommand.Create() };
        Assert.Equal(0, root.Parse(["bench", "--model", model, "--prompt-tokens", "8", "--decode-tokens", "2", "--repeat", "1", "--rows", "decode,fit", "--json", json]).Invoke());
        using var report = JsonDocument.Parse(File.ReadAllBytes(json));
        var names = report.RootElement.GetProperty("rows").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["decode", "Δ fit step, suffix path", "Δ fit step, suffix path"], names);
        Assert.Equal(JsonValueKind.Null, report.RootElement.GetProperty("summary").GetProperty("prefill_tok_s").ValueKind);

        var bad = CliProcess.Run("bench", "--model", model, "--rows", "decode,nosuch");
        Assert.Equal(1, bad.Exit);
        Assert.Equal("error: --rows: unknown measurement \"nosuch\"; known: prefill, decode, batch, fit, full, lora, gemm, memory, all", bad.Stderr.Trim());
    }

    [SharedFact]
    public void CommandWritesJsonAndLogitsOfAllRows()
    {
        using var tmp = new TempDir();
        string model = Shared.Model("stories260K-hf"), json = tmp.File("bench.json"), dump = tmp.File("logits.json");
        var root = new RootCommand { BenchCommand.Create() };
        int rc = root.Parse(["bench", "--model", model, "--prompt-tokens", "12", "--decode-tokens", "3", "--batch", "2", "--repeat", "1",
            "--json", json, "--dump-logits", dump]).Invoke();
        Assert.Equal(0, rc);

        using var report = JsonDocument.Parse(File.ReadAllBytes(json));
        var summary = report.RootElement.GetProperty("summary");
        foreach (var key in new[] { "prefill_tok_s", "decode_tok_s", "fit_step_ms_short", "fit_step_ms_long", "suffix_speedup" })
            Assert.True(summary.GetProperty(key).GetDouble() > 0, key);

        using var d = JsonDocument.Parse(File.ReadAllBytes(dump));
        var ids = d.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var rows = d.RootElement.GetProperty("logits").EnumerateArray().ToArray();
        Assert.Equal(12, ids.Length);
        Assert.Equal(12, rows.Length);
        // The dump's rows are per position: its last row is the plain forward pass's last-token logits. The two passes
        // multiply matrices of different shapes (12 rows vs 1), which OpenBLAS may compute with different kernels, so
        // they agree to float rounding, not bit for bit.
        var m = ModelLoader.Load(model);
        var last = m.Forward([ids], [m.NewCache()]);
        var dumped = rows[^1].EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(last.Length, dumped.Length);
        for (int i = 0; i < last.Length; i++) Assert.True(Math.Abs(last[i] - dumped[i]) <= 1e-5f * (1 + Math.Abs(last[i])), $"logit {i}: {last[i]} vs {dumped[i]}");
    }
}
