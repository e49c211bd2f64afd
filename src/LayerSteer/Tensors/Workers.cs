using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace LayerSteer.Tensors;

/// <summary>One parallel loop body: Run(i) for i in [0, count); a struct so a call allocates nothing.</summary>
public interface IParallelBody { void Run(int index); }

/// <summary>The kernels' parallel-for: persistent background threads (one per core but the caller's) that spin briefly for the next
/// job, so the ~200 kernel calls of a decode step neither allocate (a Parallel.For allocates its closure, delegate and tasks per
/// call) nor wait for a pool thread to wake. Indices are handed out one at a time, so a thread that starts late takes fewer.</summary>
public static unsafe class Workers
{
    // How long an idle worker spins for the next job before it blocks: longer than the gaps between a decode step's kernels
    // (norms, attention, sampling run on the caller alone), short enough that an idle process costs nothing.
    static readonly long SpinTicks = Stopwatch.Frequency / 500;   // 2 ms

    static readonly Worker[] Pool = Start(Environment.ProcessorCount - 1);

    // The job: the caller's body (a pointer to its local) and the thunk that calls it. _state packs the job's number (high
    // 32 bits) and the next index to hand out (low 32); a finished job is closed (index Closed) before the next one's body and
    // count are written, so a thread's compare-exchange that claims an index also proves that the body and count it read
    // belong to that job: a late thread can never run a finished job's body.
    const long Closed = int.MaxValue, Index = 0xFFFFFFFFL;
    static void* _body;
    static delegate*<void*, int, void> _thunk;
    static int _count;
    static long _state;
    static int _remaining;              // indices claimed by no one or still running
    static ExceptionDispatchInfo? _error;
    static int _busy;                   // 1 while a caller owns the pool
    [ThreadStatic] static bool _inside; // this thread is running a job's body (a worker, or the caller during For)

    sealed class Worker
    {
        public readonly SemaphoreSlim Wake = new(0);
        public int Sleeping;   // 1 when blocked (or about to block) on Wake; whoever sets it to 0 first owns the wake-up
    }

    /// <summary>body.Run(i) for every i in [0, count), each exactly once, on the workers and the calling thread; returns when all
    /// are done and rethrows the first exception a body threw. <paramref name="body"/> must be a local of the caller (the other
    /// threads read it through a pointer while the caller waits). Runs on the caller alone for count 1, when called from inside
    /// a body, or under a task scheduler of concurrency 1 (the batch scheduler's); beside another caller's job it falls back to
    /// Parallel.For on a copy of the body (which allocates).</summary>
    public static void For<TBody>(int count, ref TBody body) where TBody : struct, IParallelBody
    {
        if (count <= 0) return;
        if (count == 1 || Pool.Length == 0 || _inside || TaskScheduler.Current.MaximumConcurrencyLevel == 1)
        {
            for (int i = 0; i < count; i++) body.Run(i);
            return;
        }
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            var copy = body;
            try { Parallel.For(0, count, i => copy.Run(i)); }
            catch (AggregateException e) { ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw(); }   // as the pool throws
            return;
        }
        try
        {
            _body = Unsafe.AsPointer(ref body);
            _thunk = &Thunk<TBody>;
            _count = count;
            _remaining = count;
            long job = (Volatile.Read(ref _state) >> 32) + 1 << 32;
            Interlocked.Exchange(ref _state, job);   // a full fence: the workers' Sleeping flags are read after it is visible
            foreach (var w in Pool)
                if (Volatile.Read(ref w.Sleeping) == 1 && Interlocked.Exchange(ref w.Sleeping, 0) == 1) w.Wake.Release();
            _inside = true;
            Help(job);
            var spin = new SpinWait();
            while (Volatile.Read(ref _remaining) != 0) spin.SpinOnce(sleep1Threshold: -1);
            Interlocked.Exchange(ref _state, job | Closed);
            var error = _error;
            _error = null;
            error?.Throw();
        }
        finally
        {
            _inside = false;
            _body = null;
            Volatile.Write(ref _busy, 0);
        }
    }

    static void Thunk<TBody>(void* body, int index) where TBody : struct, IParallelBody => Unsafe.AsRef<TBody>(body).Run(index);

    /// <summary>Claims and runs indices of job <paramref name="job"/> until none is left; after a body throws, the rest are claimed
    /// without running (as Parallel.For stops), so the caller's wait still ends.</summary>
    static void Help(long job)
    {
        void* body = _body;
        var thunk = _thunk;
        int count = _count;
        while (true)
        {
            long s = Volatile.Read(ref _state);
            if ((s & ~Index) != job || (s & Index) >= count) return;
            if (Interlocked.CompareExchange(ref _state, s + 1, s) != s) continue;
            if (_error == null)
                try { thunk(body, (int)s); }
                catch (Exception e) { Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null); }
            Interlocked.Decrement(ref _remaining);
        }
    }

    static Worker[] Start(int n)
    {
        var pool = new Worker[Math.Max(0, n)];
        for (int i = 0; i < pool.Length; i++)
        {
            var w = pool[i] = new Worker();
            new Thread(() => Loop(w)) { IsBackground = true, Name = $"LayerSteer worker {i + 1}" }.Start();
        }
        return pool;
    }

    static void Loop(Worker w)
    {
        _inside = true;
        long seen = Volatile.Read(ref _state) & ~Index;
        while (true)
        {
            long job = Next(w, seen);
            Help(job);
            seen = job;
        }
    }

    /// <summary>Waits for a job other than <paramref name="seen"/>: spins (yielding to an SMT sibling or another ready thread) for
    /// <see cref="SpinTicks"/>, then blocks until a caller wakes it.</summary>
    static long Next(Worker w, long seen)
    {
        long until = Stopwatch.GetTimestamp() + SpinTicks;
        var spin = new SpinWait();
        while (true)
        {
            long job = Volatile.Read(ref _state) & ~Index;
            if (job != seen) return job;
            if (Stopwatch.GetTimestamp() < until) { spin.SpinOnce(sleep1Threshold: -1); continue; }
            Interlocked.Exchange(ref w.Sleeping, 1);   // a full fence before the state is read again
            job = Volatile.Read(ref _state) & ~Index;
            if (job != seen)
            {
                // The caller may already have claimed the wake-up; then consume it so the next sleep is not cut short.
                if (Interlocked.Exchange(ref w.Sleeping, 0) == 0) w.Wake.Wait();
                return job;
            }
            w.Wake.Wait();
            until = Stopwatch.GetTimestamp() + SpinTicks;
        }
    }
}
