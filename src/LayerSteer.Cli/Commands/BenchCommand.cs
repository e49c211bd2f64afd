using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LayerSteer.Formats;
using LayerSteer.Models;
using LayerSteer.Tensors;
using LayerSteer.Verification;
using Spectre.Console;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer bench --model PATH`: prefill/decode throughput, the Δ fit step (suffix path vs naive) and GEMM backends.</summary>
public static class BenchCommand
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (config.json + safetensors)", Required = true };
        var prompt = new Option<int>("--prompt-tokens") { Description = "Prompt length for prefill and decode", DefaultValueFactory = _ => 128 };
        var decode = new Option<int>("--decode-tokens") { Description = "Tokens decoded after the prompt", DefaultValueFactory = _ => 64 };
        var batch = new Option<int>("--batch") { Description = "Sequences in the batched prefill/decode rows", DefaultValueFactory = _ => 8 };
        var repeat = new Option<int>("--repeat") { Description = "Timed repeats per measurement (after one warm-up)", DefaultValueFactory = _ => 5 };
        var json = new Option<string?>("--json") { Description = "Also write all measurements to this JSON file" };
        var dump = new Option<string?>("--dump-logits") { Description = "Write the ids and all-row logits of one seeded prompt (for tools/torch_peer)" };
        var fitLong = new Option<int>("--fit-long-prompt")
        {
            Description = "Prompt length of the long Δ fit step, the naive full step and the LoRA step (shorter is quicker on big models)",
            DefaultValueFactory = _ => new BenchmarkOptions().FitLongPrompt,
        };
        var storage = new Option<string>("--weights")
        {
            Description = "16-bit checkpoints: auto (16-bit in place unless small), 16bit (in place), f32 (converted in memory)",
            DefaultValueFactory = _ => "auto",
        };
        storage.AcceptOnlyFromAmong("auto", "16bit", "f32");
        var rows = new Option<string>("--rows")
        {
            Description = "Measurements to run, comma-separated: " + string.Join(", ", PartNames) + " (or all)",
            DefaultValueFactory = _ => "all",
        };
        var cmd = new Command("bench", "Measure prefill and decode speed, the Δ fit step, the GEMM backends and memory bandwidth on random token ids.")
            { model, prompt, decode, batch, repeat, json, dump, fitLong, storage, rows };
        cmd.SetAction(pr => Run(pr.GetValue(model)!, new BenchmarkOptions
        {
            PromptTokens = pr.GetValue(prompt), DecodeTokens = pr.GetValue(decode), Batch = pr.GetValue(batch), Repeat = pr.GetValue(repeat),
            FitLongPrompt = pr.GetValue(fitLong), Parts = Parts(pr.GetValue(rows)!),
        }, pr.GetValue(json), pr.GetValue(dump), pr.GetValue(storage) switch { "16bit" => true, "f32" => false, _ => (bool?)null }));
        return cmd;
    }

    static IEnumerable<string> PartNames => Enum.GetValues<BenchParts>().Where(p => p is not (BenchParts.None or BenchParts.All)).Select(p => p.ToString().ToLowerInvariant());

    /// <summary>--rows as flags; an unknown name is an error listing the known ones (checked before the model loads).</summary>
    static BenchParts Parts(string list)
    {
        var parts = BenchParts.None;
        foreach (var name in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            parts |= name == "all" ? BenchParts.All
                : Enum.TryParse<BenchParts>(name, ignoreCase: true, out var p) && PartNames.Contains(name.ToLowerInvariant()) ? p
                : throw new LayerSteerException($"--rows: unknown measurement \"{name}\"; known: {string.Join(", ", PartNames)}, all");
        return parts == BenchParts.None ? throw new LayerSteerException("--rows: name at least one measurement") : parts;
    }

    static int Run(string modelPath, BenchmarkOptions o, string? jsonPath, string? dumpPath, bool? keep16Bit)
    {
        var steal = new CpuSteal();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var m = ModelLoader.Load(modelPath, keep16Bit);
        double loadSeconds = clock.Elapsed.TotalSeconds;
        var suite = new BenchmarkSuite(m, o, s => CliHost.Err.MarkupLine($"[grey]{Markup.Escape(s)}…[/]"));
        if (dumpPath != null) DumpLogits(m, BenchmarkSuite.RandomIds(m.Config, new Random(o.Seed), o.PromptTokens), dumpPath);
        var r = suite.Run();

        AnsiConsole.Write(Measurements(r, $"{modelPath} ({m.StorageDType}): {Environment.ProcessorCount} cores, GEMM {Gemm.Backend}"));
        foreach (var skip in r.Skipped) CliHost.Err.MarkupLine($"[yellow]{Markup.Escape($"skipped {skip.Name}: {skip.Reason}")}[/]");
        if (r.Gemm.Length > 0) AnsiConsole.Write(GemmTable(r.Gemm));
        var ratios = new Table().Title("ratios").AddColumns("ratio", "value");
        ratios.AddRow("batched / single prefill tok/s", X(r.BatchSpeedup));
        ratios.AddRow("fit step, prompt long / short (≈ 1 expected)", X(r.FitRatio));
        ratios.AddRow("full fwd/bwd / suffix path (speed-up)", X(r.SuffixSpeedup));
        ratios.AddRow("LoRA step / Δ step (long prompts)", X(r.LoraOverVector));
        ratios.AddRow("managed / OpenBLAS GEMM, one prefill (speed-up)", X(r.BlasSpeedup));
        ratios.AddRow($"Δ fit step (short) / its {r.FitStepGemmFlop / 1e9:F1} GFLOP at the prefill GEMM rate ({F(r.GemmGflops, "F1")} GFLOP/s)", X(r.FitOverGemmBound));
        ratios.AddRow($"decode weight bandwidth ({r.WeightBytesPerToken / 1e6:F0} MB per token × tok/s), GB/s", F(r.DecodeWeightGBs, "F1"));
        ratios.AddRow("decode weight bandwidth / memory copy bandwidth", r.DecodeOverCopy is double d ? (d * 100).ToString("F0", Inv) + "%" : "n/a");
        AnsiConsole.Write(ratios);
        if (steal.Fraction is > 0.05) CliHost.Err.MarkupLine($"[yellow]{Markup.Escape($"the hypervisor took {steal.Fraction:P0} of the CPU time during this run (steal): the rates above are that much low")}[/]");
        var peak = r.Rows.Select(x => x.PeakAnonymousBytes).DefaultIfEmpty(0).Max();
        Console.WriteLine(string.Format(Inv,
            "bench prefill_tok_s={0} decode_tok_s={1} fit_step_ms_short={2} fit_step_ms_long={3} suffix_speedup={4} blas_speedup={5} batch_prefill_tok_s={6} batch_decode_tok_s={7} fit_ratio={8} fit_step_ms_full={9} lora_step_ms={10} copy_gb_s={11} read_gb_s={12} decode_weight_gb_s={13} gemm_gflop_s={14} fit_over_gemm_bound={15} peak_anon_mib={16} load_s={17:F2} steal_pct={18} decode_alloc_b_per_tok={19} fit_alloc_b_per_step={20}",
            F(r.Prefill?.Rate, "F1"), F(r.Decode?.Rate, "F1"), F(r.FitShort?.Time.Median * 1e3, "F3"), F(r.FitLong?.Time.Median * 1e3, "F3"), F(r.SuffixSpeedup, "F2"),
            F(r.BlasSpeedup, "F2"), F(r.BatchPrefill?.Rate, "F1"), F(r.BatchDecode?.Rate, "F1"), F(r.FitRatio, "F3"), F(r.FitFull?.Time.Median * 1e3, "F3"),
            F(r.LoraStep?.Time.Median * 1e3, "F3"), F(r.MemoryCopy?.Rate, "F1"), F(r.MemoryRead?.Rate, "F1"), F(r.DecodeWeightGBs, "F1"),
            F(r.GemmGflops, "F1"), F(r.FitOverGemmBound, "F2"), peak >> 20, loadSeconds, F(steal.Fraction * 100, "F0"),
            F(r.DecodeAllocatedBytes, "F0"), F(r.FitAllocatedBytes, "F0")));
        if (jsonPath != null) WriteJson(jsonPath, modelPath, m, o, r, loadSeconds);
        return 0;
    }

    static string Bytes(double b) => b < 10_000 ? b.ToString("F0", Inv) + " B" : b < 10_000_000 ? (b / 1e3).ToString("F0", Inv) + " kB" : (b / 1e6).ToString("F0", Inv) + " MB";

    static string Ms(double seconds) => (seconds * 1e3).ToString(seconds < 1e-3 ? "F4" : "F2", Inv);
    static string Pct(double f) => "±" + (f * 50).ToString("F0", Inv) + "%";
    static string X(double? ratio) => ratio is double x ? x.ToString("F2", Inv) + "×" : "n/a";
    /// <summary>A number, or nan when its measurement did not run (the key=value line keeps every key).</summary>
    static string F(double? v, string format) => v is double x ? x.ToString(format, Inv) : "nan";

    static Table Measurements(BenchmarkReport r, string title)
    {
        var t = new Table().Title(Markup.Escape(title)).AddColumns("measurement", "shape", "median ms", "spread", "rate", "peak anon", "allocated");
        foreach (var row in r.Rows)
            t.AddRow(Markup.Escape(row.Name), Markup.Escape(row.Shape), Ms(row.Time.Median), Pct(row.Time.Spread), $"{row.Rate.ToString("N1", Inv)} {row.Unit}",
                row.PeakAnonymousBytes > 0 ? ProcessMemory.Format(row.PeakAnonymousBytes) : "n/a", row.Unit == "GB/s" ? "" : $"{Bytes(row.AllocatedPerUnit)}/{row.Unit.Replace("/s", "", StringComparison.Ordinal)}");
        foreach (var skip in r.Skipped) t.AddRow(Markup.Escape(skip.Name), "", "skipped", "", "", "", "");
        return t;
    }

    static Table GemmTable(GemmRow[] rows)
    {
        var t = new Table().Title("GEMM per linear-layer shape (M = prompt tokens)")
            .AddColumns("layers", "count", "M×K→N", "blas ms", "managed ms", "blas GFLOP/s", "speed-up");
        foreach (var g in rows)
            t.AddRow(g.Names, g.Count.ToString(Inv), $"{g.Rows}×{g.In}→{g.Out}", g.Blas is null ? "n/a" : Ms(g.Blas.Median), Ms(g.Managed.Median),
                g.Blas is null ? "n/a" : (g.Gflop / g.Blas.Median).ToString("F1", Inv), g.Speedup is double x ? X(x) : "n/a");
        return t;
    }

    /// <summary>One seeded prompt's ids and its logits at every row, for comparing with another engine.</summary>
    static void DumpLogits(Transformer m, int[] ids, string path)
    {
        var logits = m.Forward([ids], [m.NewCache(ids.Length)], allRows: true);
        var rows = Enumerable.Range(0, ids.Length).Select(i => logits[(i * m.Vocab)..((i + 1) * m.Vocab)]).ToArray();
        AtomicFile.Write(path, s => JsonSerializer.Serialize(s, new { ids, logits = rows }));
    }

    static void WriteJson(string path, string modelPath, Transformer m, BenchmarkOptions o, BenchmarkReport r, double loadSeconds)
    {
        object Row(BenchRow b) => new { name = b.Name, shape = b.Shape, seconds = b.Time.Seconds, median_s = b.Time.Median, spread = b.Time.Spread, rate = b.Rate, unit = b.Unit, peak_anon_bytes = b.PeakAnonymousBytes, allocated_bytes_per_unit = b.AllocatedPerUnit };
        var doc = new
        {
            model = modelPath, load_s = loadSeconds, storage = m.StorageDType, weight_bytes_per_token = r.WeightBytesPerToken, gemm_backend = Gemm.Backend, cores = Environment.ProcessorCount, options = o, fit_layer = r.FitLayer,
            rows = r.Rows.Select(Row),
            skipped = r.Skipped.Select(k => new { name = k.Name, reason = k.Reason }),
            gemm = r.Gemm.Select(g => new
            {
                names = g.Names, rows = g.Rows, @in = g.In, @out = g.Out, count = g.Count,
                blas_s = g.Blas?.Seconds, managed_s = g.Managed.Seconds, speedup = g.Speedup,
            }),
            summary = new
            {
                prefill_tok_s = r.Prefill?.Rate, decode_tok_s = r.Decode?.Rate, batch_prefill_tok_s = r.BatchPrefill?.Rate, batch_decode_tok_s = r.BatchDecode?.Rate,
                fit_step_ms_short = r.FitShort?.Time.Median * 1e3, fit_step_ms_long = r.FitLong?.Time.Median * 1e3, fit_step_ms_full = r.FitFull?.Time.Median * 1e3, lora_step_ms = r.LoraStep?.Time.Median * 1e3,
                copy_gb_s = r.MemoryCopy?.Rate, read_gb_s = r.MemoryRead?.Rate, decode_weight_gb_s = r.DecodeWeightGBs,
                fit_ratio = r.FitRatio, suffix_speedup = r.SuffixSpeedup, lora_over_vector = r.LoraOverVector, blas_speedup = r.BlasSpeedup, batch_speedup = r.BatchSpeedup,
                gemm_gflop_s = r.GemmGflops, fit_step_gemm_gflop = r.FitStepGemmFlop / 1e9, fit_over_gemm_bound = r.FitOverGemmBound,
                peak_anon_bytes = r.Rows.Select(x => x.PeakAnonymousBytes).DefaultIfEmpty(0).Max(),
                decode_alloc_bytes_per_token = r.DecodeAllocatedBytes, fit_alloc_bytes_per_step = r.FitAllocatedBytes,
            },
        };
        AtomicFile.Write(path, s => JsonSerializer.Serialize(s, doc, new JsonSerializerOptions { WriteIndented = true }));
    }
}
