using System.Numerics.Tensors;

namespace LayerSteer.Verification;

/// <summary>STREAM-like memory bandwidth on all cores over arrays far larger than the caches: "copy" counts the bytes read
/// plus the bytes written (STREAM's convention), "read" sums an array (what a decode step does to its weights).</summary>
public static class MemoryBandwidth
{
    /// <summary>Two arrays of <paramref name="arrayFloats"/> floats (<see cref="BenchmarkOptions.BandwidtharrayFloats"/>).</summary>
    public static (BenchRow Copy, BenchRow Read) Measure(int warmup, int repeats, int arrayFloats)
    {
        var a = new float[arrayFloats];
        var b = new float[arrayFloats];
        a.AsSpan().Fill(1f);   // touch every page before timing
        b.AsSpan().Clear();
        int chunks = Environment.ProcessorCount;
        var sums = new float[chunks];
        void Chunked(Action<int, Range> body) => Parallel.For(0, chunks, c =>
            body(c, (int)((long)arrayFloats * c / chunks)..(int)((long)arrayFloats * (c + 1) / chunks)));
        double gb = arrayFloats * 4.0 / 1e9;
        var copy = Benchmark.Time(warmup, repeats, () => () => Chunked((_, r) => a.AsSpan(r).CopyTo(b.AsSpan(r))));
        var read = Benchmark.Time(warmup, repeats, () => () => Chunked((c, r) => sums[c] = TensorPrimitives.Sum(a.AsSpan(r))));
        if (float.IsNaN(sums.Sum())) throw new InvalidOperationException("unreachable: the sums keep the reads from being optimised away");
        string shape = $"{arrayFloats * 4L >> 20} MiB × {chunks} threads";
        return (new BenchRow("memory copy (STREAM-like)", shape, copy, 2 * gb, "GB/s"), new BenchRow("memory read (sum)", shape, read, gb, "GB/s"));
    }
}
