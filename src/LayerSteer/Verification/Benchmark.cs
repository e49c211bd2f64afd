using System.Diagnostics;

namespace LayerSteer.Verification;

/// <summary>Wall-clock seconds of the repeats of one measurement, summarised by median and spread.</summary>
public sealed record Timing
{
    public double[] Seconds { get; }
    public double Median { get; }
    /// <summary>Bytes allocated on the managed heap (by every thread) per body call, averaged over the timed repeats.</summary>
    public double AllocatedBytes { get; init; }
    public double Min => Seconds.Min();
    public double Max => Seconds.Max();
    /// <summary>(max − min) / median: how far the repeats disagree.</summary>
    public double Spread => (Max - Min) / Median;

    public Timing(double[] seconds)
    {
        if (seconds.Length == 0) throw new ArgumentException("a timing needs at least one repeat");
        Seconds = seconds;
        var s = seconds.Order().ToArray();
        int n = s.Length;
        Median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}

/// <summary>Times a body after warm-up runs (JIT, caches, thread pools); only the body is timed, not its setup.</summary>
public static class Benchmark
{
    /// <summary><paramref name="setup"/> runs untimed before every run (e.g. a fresh KV cache) and returns the body;
    /// the body runs <paramref name="inner"/> times per repeat and each repeat records seconds per body call.</summary>
    public static Timing Time(int warmup, int repeats, Func<Action> setup, int inner = 1)
    {
        if (repeats < 1) throw new LayerSteerException($"repeat count must be at least 1, got {repeats}");
        var seconds = new double[repeats];
        long allocated = 0;
        for (int i = -warmup; i < repeats; i++)
        {
            var body = setup();
            long a0 = GC.GetTotalAllocatedBytes(precise: true), t0 = Stopwatch.GetTimestamp();
            for (int k = 0; k < inner; k++) body();
            double dt = Stopwatch.GetElapsedTime(t0).TotalSeconds / inner;
            if (i >= 0) { seconds[i] = dt; allocated += GC.GetTotalAllocatedBytes(precise: true) - a0; }
        }
        return new Timing(seconds) { AllocatedBytes = allocated / ((double)repeats * inner) };
    }
}
