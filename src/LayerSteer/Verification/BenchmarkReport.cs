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
}

/// <summary>One measurement: what ran, its timing, and the work one run does (tokens, steps) for a rate in <paramref name="Unit"/>.</summary>
public sealed record BenchRow(string Name, string Shape, Timing Time, double WorkPerRun, string Unit)
{
    public double Rate => WorkPerRun / Time.Median;
}

/// <summary>One linear-layer shape [rows, In] · [Out, In]ᵀ timed with OpenBLAS (null when absent) and the managed GEMM;
/// <paramref name="Count"/> is how often it occurs in one forward pass.</summary>
public sealed record GemmRow(string Names, int Rows, int In, int Out, int Count, Timing? Blas, Timing Managed)
{
    public double Gflop => 2.0 * Rows * In * Out / 1e9;
    public double? Speedup => Blas is null ? null : Managed.Median / Blas.Median;
}

/// <summary>Everything `layersteer bench` measures, and the ratios that summarise it.</summary>
public sealed record BenchmarkReport(BenchRow Prefill, BenchRow Decode, BenchRow BatchPrefill, BenchRow BatchDecode,
    BenchRow FitShort, BenchRow FitLong, BenchRow FitFull, BenchRow LoraStep, int FitLayer, GemmRow[] Gemm,
    BenchRow MemoryCopy, BenchRow MemoryRead, long WeightBytesPerToken)
{
    /// <summary>Every timed row, in report order.</summary>
    public BenchRow[] Rows => [Prefill, Decode, BatchPrefill, BatchDecode, FitShort, FitLong, FitFull, LoraStep, MemoryCopy, MemoryRead];

    /// <summary>GB/s of weights a single-sequence decode reads (every matrix once per token), and its share of the copy bandwidth.</summary>
    public double DecodeWeightGBs => WeightBytesPerToken * Decode.Rate / 1e9;
    public double DecodeOverCopy => DecodeWeightGBs / MemoryCopy.Rate;

    /// <summary>Suffix-path step cost at long over short prompts (≈ 1: the step does not depend on prompt length).</summary>
    public double FitRatio => FitLong.Time.Median / FitShort.Time.Median;
    /// <summary>Naive full forward/backward over the suffix path, both at long prompts.</summary>
    public double SuffixSpeedup => FitFull.Time.Median / FitLong.Time.Median;
    /// <summary>A LoRA training step (full sequence, every layer above ℓ back-propagated) over a Δ step, both at long prompts.</summary>
    public double LoraOverVector => LoraStep.Time.Median / FitLong.Time.Median;
    public double BatchSpeedup => BatchPrefill.Rate / Prefill.Rate;
    /// <summary>Managed over OpenBLAS time of all linear layers of one prefill forward pass (null without OpenBLAS).</summary>
    public double? BlasSpeedup => Gemm.All(g => g.Blas != null)
        ? Gemm.Sum(g => g.Count * g.Managed.Median) / Gemm.Sum(g => g.Count * g.Blas!.Median) : null;
}
