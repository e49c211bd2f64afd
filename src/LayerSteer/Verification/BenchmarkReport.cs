namespace LayerSteer.Verification;

/// <summary>Sizes and repetition of a model benchmark.</summary>
public sealed record BenchmarkOptions
{
    public int PromptTokens { get; init; } = 128;
    public int DecodeTokens { get; init; } = 64;
    /// <summary>Sequences in the batched prefill and decode rows.</summary>
    public int Batch { get; init; } = 8;
    public int Repeat { get; init; } = 5;
    public int Warmup { get; init; } = 1;
    public int Seed { get; init; } = 1234;
    /// <summary>The Δ fit step: N examples, short and long prompts (the long one clipped to the model's positions), target length.</summary>
    public int FitExamples { get; init; } = 10;
    public int FitShortPrompt { get; init; } = 10;
    public int FitLongPrompt { get; init; } = 200;
    public int FitTargets { get; init; } = 3;
    /// <summary>Floats per array of the memory-bandwidth rows: 256 MiB, past the L3 of this machine class.</summary>
    public int BandwidthArrayFloats { get; init; } = 1 << 26;
    /// <summary>Which measurements run (big models: pick a few, the rest take minutes each).</summary>
    public BenchParts Parts { get; init; } = BenchParts.All;
    /// <summary>Bytes a row may need before it is skipped (null: 80% of the memory the kernel reports available).</summary>
    public long? MemoryBudgetBytes { get; init; }
}

/// <summary>The measurements of `layersteer bench`, by the names its --rows option takes.</summary>
[Flags]
public enum BenchParts
{
    None = 0,
    Prefill = 1, Decode = 2, Batch = 4, Fit = 8, Full = 16, Lora = 32, Gemm = 64, Memory = 128,
    All = Prefill | Decode | Batch | Fit | Full | Lora | Gemm | Memory,
}

/// <summary>A measurement that did not run, and why (e.g. it would not fit in memory).</summary>
public sealed record SkippedRow(string Name, string Reason);

/// <summary>One measurement: what ran, its timing, and the work one run does (tokens, steps) for a rate in <paramref name="Unit"/>.</summary>
public sealed record BenchRow(string Name, string Shape, Timing Time, double WorkPerRun, string Unit)
{
    public double Rate => WorkPerRun / Time.Median;
    /// <summary>Managed-heap bytes allocated per unit of work (per token, per step), by every thread.</summary>
    public double AllocatedPerUnit => Time.AllocatedBytes / WorkPerRun;
    /// <summary>The largest anonymous resident memory of the process while the row ran (0 where it cannot be read).</summary>
    public long PeakAnonymousBytes { get; init; }
}

/// <summary>One linear-layer shape [rows, In] · [Out, In]ᵀ timed with OpenBLAS (null when absent) and the managed GEMM;
/// <paramref name="Count"/> is how often it occurs in one forward pass.</summary>
public sealed record GemmRow(string Names, int Rows, int In, int Out, int Count, Timing? Blas, Timing Managed)
{
    public double Gflop => 2.0 * Rows * In * Out / 1e9;
    public double? Speedup => Blas is null ? null : Managed.Median / Blas.Median;
}

/// <summary>Everything `layersteer bench` measured (a row is null when not asked for or skipped), and the ratios that summarise it
/// (null when a row they need is missing).</summary>
public sealed record BenchmarkReport(BenchRow? Prefill, BenchRow? Decode, BenchRow? BatchPrefill, BenchRow? BatchDecode,
    BenchRow? FitShort, BenchRow? FitLong, BenchRow? FitFull, BenchRow? LoraStep, int FitLayer, GemmRow[] Gemm,
    BenchRow? MemoryCopy, BenchRow? MemoryRead, long WeightBytesPerToken, double FitStepGemmFlop, SkippedRow[] Skipped)
{
    /// <summary>Every timed row, in report order.</summary>
    public BenchRow[] Rows => new[] { Prefill, Decode, BatchPrefill, BatchDecode, FitShort, FitLong, FitFull, LoraStep, MemoryCopy, MemoryRead }
        .OfType<BenchRow>().ToArray();

    /// <summary>GB/s of weights a single-sequence decode reads (every matrix once per token), and its share of the copy bandwidth.</summary>
    public double? DecodeWeightGBs => Decode is null ? null : WeightBytesPerToken * Decode.Rate / 1e9;
    public double? DecodeOverCopy => DecodeWeightGBs / MemoryCopy?.Rate;

    /// <summary>Bytes allocated per decoded token and per short Δ fit step (0 in the steady state).</summary>
    public double? DecodeAllocatedBytes => Decode?.AllocatedPerUnit;
    public double? FitAllocatedBytes => FitShort?.AllocatedPerUnit;

    /// <summary>Suffix-path step cost at long over short prompts (≈ 1: the step does not depend on prompt length).</summary>
    public double? FitRatio => FitLong?.Time.Median / FitShort?.Time.Median;
    /// <summary>Naive full forward/backward over the suffix path, both at long prompts.</summary>
    public double? SuffixSpeedup => FitFull?.Time.Median / FitLong?.Time.Median;
    /// <summary>A LoRA training step (full sequence, every layer above ℓ back-propagated) over a Δ step, both at long prompts.</summary>
    public double? LoraOverVector => LoraStep?.Time.Median / FitLong?.Time.Median;
    public double? BatchSpeedup => BatchPrefill?.Rate / Prefill?.Rate;
    /// <summary>Managed over OpenBLAS time of all linear layers of one prefill forward pass (null without OpenBLAS).</summary>
    public double? BlasSpeedup => Gemm.Length > 0 && Gemm.All(g => g.Blas != null)
        ? Gemm.Sum(g => g.Count * g.Managed.Median) / Gemm.Sum(g => g.Count * g.Blas!.Median) : null;

    /// <summary>GFLOP/s of one prefill's linear layers on the faster backend: the rate the fit step is held to.</summary>
    public double? GemmGflops => Gemm.Length == 0 ? null
        : Gemm.Sum(g => g.Count * g.Gflop) / Gemm.Sum(g => g.Count * Math.Min(g.Blas?.Median ?? double.MaxValue, g.Managed.Median));
    /// <summary>The short fit step's time over its linear-layer FLOPs at <see cref="GemmGflops"/> (1 = the GEMMs' bound).</summary>
    public double? FitOverGemmBound => FitShort is null || GemmGflops is not double rate ? null : FitShort.Time.Median / (FitStepGemmFlop / 1e9 / rate);
}
