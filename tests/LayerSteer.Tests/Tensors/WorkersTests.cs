using LayerSteer.Inference;
using LayerSteer.Tensors;

namespace LayerSteer.Tests.Tensors;

/// <summary>The kernels' parallel-for: every index exactly once, errors surfaced, safe nested and side by side.</summary>
public class WorkersTests
{
    /// <summary>Counts the runs of each index (and, nested, of each inner index), remembering the threads that ran them.</summary>
    unsafe struct Count : IParallelBody
    {
        public int* Hits;
        public int* Threads;   // managed thread id per index, or null
        public int Inner;      // > 0: each index runs a nested loop of this many, counted at index·Inner + j

        public readonly void Run(int index)
        {
            if (Threads != null) Threads[index] = Environment.CurrentManagedThreadId;
            if (Inner == 0) { Interlocked.Increment(ref Hits[index]); return; }
            var inner = new Count { Hits = Hits + (long)index * Inner };
            Workers.For(Inner, ref inner);
        }
    }

    static unsafe int[] Hits(int count, int inner = 0, int[]? threads = null)
    {
        var hits = new int[Math.Max(1, count * Math.Max(inner, 1))];
        fixed (int* h = hits) fixed (int* t = threads)
        {
            var body = new Count { Hits = h, Threads = t, Inner = inner };
            Workers.For(count, ref body);
        }
        return hits;
    }

    static void AllOnce(int[] hits, int n, string what)
    {
        for (int i = 0; i < n; i++) Assert.True(hits[i] == 1, $"{what}: index {i} ran {hits[i]} times");
    }

    [Fact]
    public void EveryIndexRunsExactlyOnce()
    {
        foreach (int n in new[] { 1, 2, 3, 5, 8, 17, 64, 100, 1000, 4097 })
            for (int rep = 0; rep < 20; rep++) AllOnce(Hits(n), n, $"count {n}");
        Assert.All(Hits(0), h => Assert.Equal(0, h));
        Assert.All(Hits(-3), h => Assert.Equal(0, h));
    }

    unsafe struct Throwing : IParallelBody
    {
        public int CallerThread;
        public int* OtherRan;

        // The caller's indices wait until another thread has run one, which throws: the error comes from a worker.
        public readonly void Run(int index)
        {
            if (Environment.CurrentManagedThreadId != CallerThread)
            {
                Volatile.Write(ref *OtherRan, 1);
                throw new InvalidOperationException($"index {index} failed");
            }
            var until = DateTime.UtcNow.AddSeconds(10);
            while (Volatile.Read(ref *OtherRan) == 0 && DateTime.UtcNow < until) Thread.Yield();
        }
    }

    struct FailAt : IParallelBody
    {
        public int Index;
        public readonly void Run(int index) { if (index == Index) throw new ArgumentException($"bad index {index}"); }
    }

    [Fact]
    public unsafe void AnExceptionInABodyReachesTheCallerAndThePoolStillWorks()
    {
        for (int rep = 0; rep < 5; rep++)
        {
            var fail = new FailAt { Index = 37 };
            Assert.Equal("bad index 37", Assert.Throws<ArgumentException>(() => Workers.For(100, ref fail)).Message);
            AllOnce(Hits(500), 500, "after an exception on the caller");
        }
        if (Environment.ProcessorCount < 2) return;   // no other thread to throw
        int otherRan = 0;
        var body = new Throwing { CallerThread = Environment.CurrentManagedThreadId, OtherRan = &otherRan };
        var e = Assert.Throws<InvalidOperationException>(() => Workers.For(16, ref body));
        Assert.Matches("^index [0-9]+ failed$", e.Message);
        AllOnce(Hits(500), 500, "after an exception on a worker");
    }

    [Fact]
    public void NestedCallsFinishWithEveryIndexOnce()
    {
        for (int rep = 0; rep < 20; rep++) AllOnce(Hits(8, inner: 10), 80, "nested 8 × 10");
        AllOnce(Hits(3, inner: 1000), 3000, "nested 3 × 1000");
    }

    [Fact]
    public void TwoCallersAtOnceBothFinish()
    {
        var failures = new List<string>();
        var threads = Enumerable.Range(0, 3).Select(t => new Thread(() =>
        {
            try { for (int rep = 0; rep < 300; rep++) AllOnce(Hits(64 + t), 64 + t, $"caller {t}"); }
            catch (Exception e) { lock (failures) failures.Add(e.Message); }
        })).ToList();
        threads.ForEach(t => t.Start());
        foreach (var t in threads) Assert.True(t.Join(TimeSpan.FromMinutes(1)), "a concurrent caller did not finish");
        Assert.Empty(failures);
    }

    [Fact]
    public async Task UnderAOneTaskSchedulerEverythingRunsOnTheCallingThread()
    {
        var ids = new int[200];
        var (caller, hits) = await Task.Factory.StartNew(() => (Environment.CurrentManagedThreadId, Hits(200, threads: ids)),
            CancellationToken.None, TaskCreationOptions.None, InlineTaskScheduler.Instance);
        AllOnce(hits, 200, "inline");
        Assert.All(ids, id => Assert.Equal(caller, id));
    }
}

/// <summary>Tests that measure the whole process's allocations run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "allocation";
}

/// <summary>After warm-up, the 16-bit kernels allocate nothing per call, even when they split across threads.</summary>
[Collection(AllocationCollection.Name)]
public class KernelAllocationTests
{
    [Fact]
    public void SixteenBitKernelsAllocateNothingAfterWarmUp()
    {
        const int inDim = 512, outDim = 768, rows = 8, calls = 50;
        var rng = new Random(3);
        var w = Enumerable.Range(0, inDim * outDim).Select(_ => (ushort)(BitConverter.SingleToUInt32Bits((float)rng.NextDouble() - 0.5f) >> 16)).ToArray();
        var x = Enumerable.Range(0, rows * inDim).Select(_ => (float)rng.NextDouble()).ToArray();
        var y = new float[rows * outDim];
        var dx = new float[rows * inDim];
        void Calls(int n)
        {
            for (int i = 0; i < n; i++)
            {
                Gemv16.Multiply(DType.BF16, w, x, y, 1, inDim, outDim);
                SkinnyGemm16.Forward(DType.BF16, w, x, y, rows, inDim, outDim);
                SkinnyGemm16.Backward(DType.BF16, w, y, dx, rows, inDim, outDim);
            }
        }
        // Big enough to split (the kernels' own thresholds) on a machine with more than one core.
        Assert.True((long)outDim * inDim >= 1 << 16 && 2L * rows * inDim * outDim >= 1 << 20);
        Calls(5);
        // The calling thread allocates nothing: a Parallel.For per call allocates its closure, delegate and tasks there, hundreds of
        // bytes a call. The whole process allocates little: the test host's own threads allocate about a kilobyte per half second
        // (measured while idle), a worker that reallocated its backward panel would add kilobytes. The best of three rounds: a
        // worker's first share of a backward allocates its panel once.
        long thread = long.MaxValue, total = long.MaxValue;
        for (int round = 0; round < 3 && !(thread == 0 && total < 4096); round++)
        {
            long t0 = GC.GetAllocatedBytesForCurrentThread(), a0 = GC.GetTotalAllocatedBytes(precise: true);
            Calls(calls);
            thread = GC.GetAllocatedBytesForCurrentThread() - t0;
            total = GC.GetTotalAllocatedBytes(precise: true) - a0;
        }
        Assert.True(thread == 0 && total < 4096, $"{3 * calls} kernel calls allocated {thread} bytes on the calling thread, {total} in all");
    }
}
