using System.Diagnostics;
using LayerSteer.Adapters;
using LayerSteer.Formats;
using LayerSteer.Inference;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tensors;
using LayerSteer.Training;

namespace LayerSteer.Verification;

/// <summary>Measures a model's prefill, KV-cached decode, the Δ fit step (suffix path vs naive), a LoRA step and its GEMMs,
/// on seeded random token ids so no tokenizer is needed.</summary>
public sealed class BenchmarkSuite
{
    readonly Transformer _m;
    readonly BenchmarkOptions _o;
    readonly Random _rng;
    readonly Action<string> _progress;

    /// <summary>Layer ℓ of the fit and LoRA steps (<see cref="DefaultLayers.Benchmark"/>).</summary>
    public int FitLayer => DefaultLayers.Benchmark(_m.Config.NumLayers);
    /// <summary>The long fit prompt, clipped so prompt + targets fit the model's positions.</summary>
    public int FitLongPrompt => Math.Min(_o.FitLongPrompt, _m.Config.MaxPositions - _o.FitTargets);

    public BenchmarkSuite(Transformer model, BenchmarkOptions options, Action<string>? progress = null)
    {
        (_m, _o, _rng, _progress) = (model, options, new Random(options.Seed), progress ?? (_ => { }));
        var c = model.Config;
        if (options.PromptTokens < 1 || options.DecodeTokens < 1 || options.Batch < 1 || options.Repeat < 1 || options.Warmup < 0)
            throw new LayerSteerException("prompt tokens, decode tokens, batch and repeat must be at least 1 (warm-up at least 0)");
        if (options.PromptTokens + options.DecodeTokens > c.MaxPositions)
            throw new LayerSteerException($"prompt tokens ({options.PromptTokens}) + decode tokens ({options.DecodeTokens}) exceed the model's max_position_embeddings ({c.MaxPositions})");
        if (options.FitShortPrompt + options.FitTargets > c.MaxPositions)
            throw new LayerSteerException($"the short fit prompt ({options.FitShortPrompt}) + targets ({options.FitTargets}) exceed max_position_embeddings ({c.MaxPositions})");
    }

    /// <summary>n ids drawn uniformly from the vocabulary, skipping BOS/EOS.</summary>
    public static int[] RandomIds(ModelConfig c, Random rng, int n)
    {
        var special = new HashSet<int>(c.EosTokenIds);
        if (c.BosTokenId is int bos) special.Add(bos);
        if (Enumerable.Range(0, c.VocabSize).All(special.Contains)) throw new LayerSteerException("the vocabulary holds only special tokens");
        var ids = new int[n];
        for (int i = 0; i < n; i++)
            do ids[i] = rng.Next(c.VocabSize); while (special.Contains(ids[i]));
        return ids;
    }

    int[] RandomIds(int n) => RandomIds(_m.Config, _rng, n);

    bool Has(BenchParts part) => (_o.Parts & part) != 0;

    public BenchmarkReport Run()
    {
        long fullBytes = FullSequenceBytes(FitLongPrompt);
        string? tooBig = TooBig(fullBytes);
        WarmUpJit(fullSequence: tooBig == null);   // a row that will be skipped is not warmed up either
        var skipped = new List<SkippedRow>();
        var prefill = Has(BenchParts.Prefill) ? Measured(() => Prefill(1)) : null;
        var decode = Has(BenchParts.Decode) ? Measured(() => Decode(1)) : null;
        var batchPrefill = Has(BenchParts.Batch) ? Measured(() => Prefill(_o.Batch)) : null;
        var batchDecode = Has(BenchParts.Batch) ? Measured(() => Decode(_o.Batch)) : null;
        var fitShort = Has(BenchParts.Fit) ? Measured(() => FitStep(_o.FitShortPrompt, cachePrompt: true)) : null;
        var fitLong = Has(BenchParts.Fit) ? Measured(() => FitStep(FitLongPrompt, cachePrompt: true)) : null;
        var fitFull = Has(BenchParts.Full) ? IfItFits("Δ fit step, full fwd/bwd", tooBig, () => FitStep(FitLongPrompt, cachePrompt: false), skipped) : null;
        var lora = Has(BenchParts.Lora) ? IfItFits("LoRA step, full sequence", tooBig, () => LoraStep(FitLongPrompt), skipped) : null;
        var gemm = Has(BenchParts.Gemm) ? GemmShapes() : [];
        BenchRow? copy = null, read = null;
        if (Has(BenchParts.Memory))
        {
            _progress("memory bandwidth");
            using var peak = new AnonymousPeak();
            (copy, read) = MemoryBandwidth.Measure(_o.Warmup, _o.Repeat, _o.BandwidthArrayFloats);
            (copy, read) = (copy with { PeakAnonymousBytes = peak.Bytes }, read with { PeakAnonymousBytes = peak.Bytes });
        }
        return new(prefill, decode, batchPrefill, batchDecode, fitShort, fitLong, fitFull, lora, FitLayer, gemm, copy, read,
            WeightBytesPerToken(), FitStepGemmFlop(), skipped.ToArray());
    }

    // One row, with the largest anonymous memory the process held while it ran.
    static BenchRow Measured(Func<BenchRow> run)
    {
        using var peak = new AnonymousPeak();
        var row = run();
        return row with { PeakAnonymousBytes = peak.Bytes };
    }

    // Why a row needing this many bytes cannot run (more than the budget: 80% of the available memory), or null.
    string? TooBig(long bytes)
    {
        long? budget = _o.MemoryBudgetBytes ?? (ProcessMemory.Available() is long a ? a / 5 * 4 : null);
        return budget is long b && bytes > b
            ? $"needs ≈ {ProcessMemory.Format(bytes)} of activations, more than the {ProcessMemory.Format(b)} budget (80% of available memory)" : null;
    }

    // Runs a row, or records why it was skipped instead of being killed.
    BenchRow? IfItFits(string name, string? tooBig, Func<BenchRow> run, List<SkippedRow> skipped)
    {
        if (tooBig == null) return Measured(run);
        skipped.Add(new(name, tooBig));
        _progress($"{name}: skipped, {tooBig}");
        return null;
    }

    /// <summary>Anonymous memory of a full-sequence step (the naive Δ step, LoRA) at this prompt length: every row's tape in every
    /// layer from ℓ up — the layer's input and norms, q/k/v, attention weights over all keys, site, branch outputs, the MLP's
    /// gate/up/activation — plus the KV caches and target logits with their gradient. An estimate a little above what the
    /// tapes hold, so a row that is run fits.</summary>
    public long FullSequenceBytes(int promptLength)
    {
        var c = _m.Config;
        long tokens = promptLength + _o.FitTargets, rows = _o.FitExamples * tokens;
        long kv = c.NumKvHeads * c.HeadDim, perRowLayer = 9L * c.HiddenSize + 3L * c.SiteWidth + 2 * kv + 3L * c.IntermediateSize + c.NumHeads * tokens;
        long tapes = rows * (c.NumLayers - FitLayer) * perRowLayer;
        long caches = rows * c.NumLayers * 2 * kv;
        long logits = 2L * _o.FitExamples * _o.FitTargets * c.VocabSize;
        return 4 * (tapes + caches + logits);
    }

    /// <summary>Multiply-adds ×2 of the linear layers in one short-prompt Δ step on the suffix path: N × targets rows (the last
    /// prompt token, then the teacher-forced targets) forward and back (input gradients: the same count again) through layer
    /// ℓ's o_proj and MLP, every matrix above ℓ, and the LM head.</summary>
    public double FitStepGemmFlop()
    {
        double rows = _o.FitExamples * _o.FitTargets;
        var at = _m.Layers[FitLayer];
        double weights = new[] { at.O, at.Mlp.Gate, at.Mlp.Up, at.Mlp.Down }.Sum(Weights)
            + _m.Layers.Skip(FitLayer + 1).Sum(l => new[] { l.Q, l.K, l.V, l.O, l.Mlp.Gate, l.Mlp.Up, l.Mlp.Down }.Sum(Weights))
            + Weights(_m.Head.Head);
        return 2 * 2 * rows * weights;
        static double Weights(ILinear? w) => w is null ? 0 : (double)w.In * w.Out;
    }

    /// <summary>Bytes of weights one decode token reads: every layer's matrices and the LM head, each once.</summary>
    public long WeightBytesPerToken() =>
        Linears().Select(x => x.W).OfType<Linear>().Distinct().Sum(w => w.Bytes);

    IEnumerable<(string Name, ILinear? W)> Linears() => _m.Layers.SelectMany(l => new (string Name, ILinear? W)[]
            { ("q", l.Q), ("k", l.K), ("v", l.V), ("o", l.O), ("gate", l.Mlp.Gate), ("up", l.Mlp.Up), ("down", l.Mlp.Down) })
        .Append((Name: "lm_head", W: (ILinear?)_m.Head.Head))
        .Where(x => x.W != null);

    /// <summary>.NET first compiles a method with loops unoptimised and recompiles it after ~30 calls (twice with PGO):
    /// a cold forward pass runs up to 10× slower. Every measured path first runs at small sizes (64 tokens, enough to take the
    /// parallel branches) up to 80 times, for about 5 seconds, so the timings are of steady state; on a big model one round is
    /// all the budget allows (long loops are recompiled while they run anyway).</summary>
    void WarmUpJit(bool fullSequence)
    {
        _progress("JIT warm-up");
        int n = Math.Min(64, _o.PromptTokens);
        var small = new BenchmarkSuite(_m, new BenchmarkOptions
        {
            PromptTokens = n, DecodeTokens = 1, Batch = 2, Repeat = 1, Warmup = 0, Seed = _o.Seed, Parts = _o.Parts,
            FitExamples = 2, FitShortPrompt = 4, FitLongPrompt = n, FitTargets = 2,
        });
        var budget = Stopwatch.StartNew();
        for (int i = 0; i < 80 && budget.Elapsed.TotalSeconds < 5; i++)
        {
            if (Has(BenchParts.Prefill | BenchParts.Batch | BenchParts.Gemm)) { small.Prefill(1); small.Prefill(2); }
            if (Has(BenchParts.Decode | BenchParts.Batch)) small.Decode(1);
            if (Has(BenchParts.Fit)) small.FitStep(4, cachePrompt: true);
            if (Has(BenchParts.Full) && fullSequence) small.FitStep(small.FitLongPrompt, cachePrompt: false);
            if (Has(BenchParts.Lora) && fullSequence) small.LoraStep(n);
            if (Has(BenchParts.Gemm)) small.GemmShapes();
        }
    }

    int[][] Prompts(int batch) => Enumerable.Range(0, batch).Select(_ => RandomIds(_o.PromptTokens)).ToArray();
    KvCache[] Caches(int batch) => Enumerable.Range(0, batch).Select(_ => _m.NewCache(_o.PromptTokens + _o.DecodeTokens)).ToArray();

    /// <summary>One forward pass over <paramref name="batch"/> prompts from fresh caches.</summary>
    public BenchRow Prefill(int batch)
    {
        _progress($"prefill {batch}×{_o.PromptTokens}");
        var prompts = Prompts(batch);
        var t = Benchmark.Time(_o.Warmup, _o.Repeat, () =>
        {
            var caches = Caches(batch);
            return () => _m.Forward(prompts, caches);
        });
        return new(batch == 1 ? "prefill" : "batched prefill", $"{batch}×{_o.PromptTokens}", t, batch * _o.PromptTokens, "tok/s");
    }

    /// <summary>Greedy decoding, one token per sequence per forward pass with the KV cache (the prefill is untimed).</summary>
    public BenchRow Decode(int batch)
    {
        _progress($"decode {batch}×{_o.DecodeTokens}");
        var prompts = Prompts(batch);
        int v = _m.Vocab;
        var logits = new float[batch * v];
        var next = Enumerable.Range(0, batch).Select(_ => new int[1]).ToArray();
        void Greedy() { for (int s = 0; s < batch; s++) next[s][0] = Sampler.Argmax(logits.AsSpan(s * v, v)); }
        var t = Benchmark.Time(_o.Warmup, _o.Repeat, () =>
        {
            var caches = Caches(batch);
            _m.Forward(prompts, caches, logits);
            Greedy();
            return () =>
            {
                for (int step = 0; step < _o.DecodeTokens; step++) { _m.Forward(next, caches, logits); Greedy(); }
            };
        });
        return new(batch == 1 ? "decode" : "batched decode", $"{batch}×{_o.DecodeTokens} after {_o.PromptTokens}", t, batch * _o.DecodeTokens, "tok/s");
    }

    /// <summary>One evaluation of the Δ objective with its gradient, N examples at one prompt length:
    /// on the suffix path, or the naive full forward/backward when <paramref name="cachePrompt"/> is false.</summary>
    public BenchRow FitStep(int promptLength, bool cachePrompt)
    {
        _progress($"fit step, prompt {promptLength}, {(cachePrompt ? "suffix path" : "full forward/backward")}");
        var examples = FitExamples(promptLength);
        var path = new SuffixPath(_m, FitLayer, examples, ApplyMode.Last, new TaskLoss.Nll(TokenReduction.Mean), cachePrompt);
        var delta = Enumerable.Range(0, path.Width).Select(_ => (float)(_rng.NextDouble() - 0.5) * 0.1f).ToArray();
        var grad = new float[path.Width];
        var t = Benchmark.Time(_o.Warmup, _o.Repeat, () => () => path.Evaluate(delta, grad));
        return new(cachePrompt ? "Δ fit step, suffix path" : "Δ fit step, full fwd/bwd",
            $"N={_o.FitExamples} prompt={promptLength} target={_o.FitTargets} ℓ={FitLayer}", t, 1, "step/s");
    }

    Example[] FitExamples(int promptLength) =>
        Enumerable.Range(0, _o.FitExamples).Select(_ => new Example(RandomIds(promptLength), RandomIds(_o.FitTargets))).ToArray();

    /// <summary>One LoRA training step's loss and gradient (rank 4 on q/v of layer ℓ) on the same examples as the Δ step: adapters
    /// change keys and values at every position, so the whole sequence runs forward and back from the top to ℓ.</summary>
    public BenchRow LoraStep(int promptLength)
    {
        _progress($"LoRA step, prompt {promptLength}, full sequence");
        var path = new FullSequencePath(Adapter.Lora(_m, [FitLayer], 4, 8, _o.Seed), FitExamples(promptLength), new TaskLoss.Nll(TokenReduction.Mean));
        var t = Benchmark.Time(_o.Warmup, _o.Repeat, () => () => path.Evaluate(withGrad: true));
        return new("LoRA step, full sequence", $"N={_o.FitExamples} prompt={promptLength} target={_o.FitTargets} ℓ={FitLayer}", t, 1, "step/s");
    }

    /// <summary>Every distinct linear-layer shape of one prefill pass ([prompt tokens, in] · [out, in]ᵀ), OpenBLAS vs managed.</summary>
    public GemmRow[] GemmShapes()
    {
        _progress("GEMM, OpenBLAS vs managed");
        var linears = Linears();
        int rows = _o.PromptTokens;
        return linears.GroupBy(x => (x.W!.In, x.W.Out)).Select(g =>
        {
            var w = g.First().W!;
            var x = Enumerable.Range(0, rows * w.In).Select(_ => (float)(_rng.NextDouble() - 0.5)).ToArray();
            var y = new float[rows * w.Out];
            // Small shapes run several times per repeat so each repeat lasts long enough to time.
            int inner = Math.Max(1, (int)(2e7 / (2.0 * rows * w.In * w.Out)));
            Timing Time() => Benchmark.Time(_o.Warmup, _o.Repeat, () => () => w.Forward(x, y, rows), inner);
            var blas = Gemm.Backend == "openblas" ? Time() : null;
            bool was = Gemm.ForceManaged;
            Gemm.ForceManaged = true;
            try { return new GemmRow(string.Join("/", g.Select(e => e.Name).Distinct()), rows, w.In, w.Out, g.Count(), blas, Time()); }
            finally { Gemm.ForceManaged = was; }
        }).ToArray();
    }
}
