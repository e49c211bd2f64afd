using System.Collections.Concurrent;
using System.Threading.Channels;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tensors;
using LayerSteer.Tokenizers;

namespace LayerSteer.Inference;

/// <summary>How much a <see cref="BatchScheduler"/> takes on: sequences decoded together, bytes of KV cache they may hold,
/// and sequences waiting for a place.</summary>
public sealed record BatchLimits
{
    public int MaxBatch { get; init; } = 16;
    public long KvBudgetBytes { get; init; } = 1L << 30;
    public int MaxQueue { get; init; } = 256;
    /// <summary>Let the model's kernels fan out to the thread pool (many idle cores); by default a step runs on the scheduler's one
    /// thread (<see cref="InlineTaskScheduler"/>).</summary>
    public bool ParallelKernels { get; init; }
}

/// <summary>One sequence to continue: prompt ids, sampling, its own steering (Σ αᵢΔᵢ at its own layers) and sampler seed.</summary>
public sealed record SequenceJob(int[] Prompt, SamplingOptions Sampling, IReadOnlyList<Addition> Steering, int Seed);

/// <summary>The scheduler's waiting queue is full: try again later.</summary>
public sealed class SchedulerFullException(string message) : LayerSteerException(message);

/// <summary>One step of a streamed sequence: the token appended (null when none, e.g. at EOS), its log-probability record,
/// and the finish reason once the sequence is done.</summary>
public sealed record TokenEvent(int? Id, TokenLogProb? LogProb, string? FinishReason);

/// <summary>What the scheduler holds right now.</summary>
public sealed record SchedulerStats(int Active, int Queued, long KvBytesInUse, long KvBudgetBytes, long TokensGenerated, long Steps);

/// <summary>Continuous batching: one thread owns the model; a sequence joins the running batch at the next decode step (its
/// prompt prefills in that step beside the others' single tokens) and leaves when done or cancelled, each with its own KV
/// cache, sampler and steering. Admission keeps the batch within <see cref="BatchLimits"/>; a full queue refuses.</summary>
public sealed class BatchScheduler : IDisposable
{
    sealed class Row(SequenceJob job, Continuation seq, Action<Continuation>? onStep, long kvBytes)
    {
        public readonly SequenceJob Job = job;
        public readonly Continuation Seq = seq;
        public readonly Action<Continuation>? OnStep = onStep;
        public readonly long KvBytes = kvBytes;
        public readonly TaskCompletionSource<Generation> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public KvCache? Cache;
        public volatile bool Cancelled;
        public CancellationTokenRegistration Registration;
    }

    readonly Transformer _model;
    readonly ITokenizer? _tokenizer;
    readonly BatchLimits _limits;
    readonly HashSet<int> _eos;
    readonly ConcurrentQueue<Row> _queue = new();
    readonly List<Row> _active = [];
    readonly SemaphoreSlim _wake = new(0);
    readonly Thread _thread;
    readonly CancellationTokenSource _stop = new();
    int _queued;
    long _kvInUse, _tokens, _steps;

    /// <summary><paramref name="moreEos"/>: stop ids beyond config.json's and the tokenizer's (generation_config.json's).</summary>
    public BatchScheduler(Transformer model, ITokenizer? tokenizer, BatchLimits limits, IEnumerable<int>? moreEos = null)
    {
        if (limits.MaxBatch < 1) throw new LayerSteerException($"max batch must be at least 1 (got {limits.MaxBatch})");
        if (limits.MaxQueue < 0) throw new LayerSteerException($"max queue must be at least 0 (got {limits.MaxQueue})");
        (_model, _tokenizer, _limits) = (model, tokenizer, limits);
        _eos = Continuation.EosIds(model, tokenizer, moreEos);
        _thread = new Thread(() =>
        {
            if (limits.ParallelKernels) Loop();
            else Task.Factory.StartNew(Loop, CancellationToken.None, TaskCreationOptions.None, InlineTaskScheduler.Instance).Wait();
        }) { IsBackground = true, Name = "layersteer-batch" };
        _thread.Start();
    }

    public Transformer Model => _model;
    public ITokenizer? Tokenizer => _tokenizer;
    public BatchLimits Limits => _limits;

    /// <summary>True while any sequence is running or waiting (background work, e.g. a fit, yields to it).</summary>
    public bool Busy => Volatile.Read(ref _queued) > 0 || Volatile.Read(ref _kvInUse) > 0;

    public SchedulerStats Stats => new(ActiveCount, Volatile.Read(ref _queued),
        Volatile.Read(ref _kvInUse), _limits.KvBudgetBytes, Interlocked.Read(ref _tokens), Interlocked.Read(ref _steps));

    int _activeCount;
    int ActiveCount => Volatile.Read(ref _activeCount);

    /// <summary>Bytes of KV cache a sequence of <paramref name="tokens"/> positions holds (keys and values, every layer).</summary>
    public long KvBytes(int tokens) => 2L * _model.Config.NumLayers * _model.Config.NumKvHeads * _model.Config.HeadDim * tokens * sizeof(float);

    /// <summary>Queues a sequence; the task ends with its generation, or is cancelled with <paramref name="ct"/>.
    /// <paramref name="onStep"/> runs on the scheduler thread after every chosen token (keep it short).</summary>
    public Task<Generation> Run(SequenceJob job, Action<Continuation>? onStep = null, CancellationToken ct = default)
    {
        if (job.Prompt.Length == 0) throw new LayerSteerException("empty prompt: give at least one token");
        foreach (int t in job.Prompt)
            if ((uint)t >= (uint)_model.Vocab) throw new LayerSteerException($"token id {t} is outside the vocabulary (0..{_model.Vocab - 1})");
        if (job.Sampling.StopStrings.Length > 0 && _tokenizer == null) throw new LayerSteerException("stop strings need a tokenizer");
        if (job.Sampling.MaxNewTokens < 0) throw new LayerSteerException($"max new tokens must be at least 0 (got {job.Sampling.MaxNewTokens})");
        foreach (var a in job.Steering)
            if (a.Layer < 0 || a.Layer >= _model.Config.NumLayers || a.Delta.Length != VectorSites.Width(_model, a.Site))
                throw new LayerSteerException($"a {VectorSites.CliName(a.Site)} steering vector at layer {a.Layer} of width {a.Delta.Length} does not fit " +
                                              $"this model ({_model.Config.NumLayers} layers, width {VectorSites.Width(_model, a.Site)} at that site)");
        long need = KvBytes(job.Prompt.Length + job.Sampling.MaxNewTokens);
        if (need > _limits.KvBudgetBytes)
            throw new LayerSteerException($"{job.Prompt.Length} prompt tokens + {job.Sampling.MaxNewTokens} new tokens need {need >> 20} MiB of KV cache, " +
                                          $"more than the whole budget ({_limits.KvBudgetBytes >> 20} MiB)");
        var row = new Row(job, new Continuation(job.Sampling, _tokenizer, _eos, job.Seed), onStep, need);
        if (job.Sampling.MaxNewTokens == 0) { row.Done.SetResult(row.Seq.Finish()); return row.Done.Task; }
        if (Interlocked.Increment(ref _queued) > _limits.MaxQueue + _limits.MaxBatch - ActiveCount)
        {
            Interlocked.Decrement(ref _queued);
            throw new SchedulerFullException($"the server is full ({ActiveCount} running, {_limits.MaxQueue} waiting); retry shortly");
        }
        if (ct.CanBeCanceled) row.Registration = ct.Register(() => { row.Cancelled = true; _wake.Release(); });
        _queue.Enqueue(row);
        _wake.Release();
        return row.Done.Task;
    }

    /// <summary><see cref="Run"/> with its steps as a stream; the reader completes when the sequence ends (with its error, if
    /// it failed; cancelled sequences just stop: await the task).</summary>
    public (Task<Generation> Done, ChannelReader<TokenEvent> Tokens) Stream(SequenceJob job, CancellationToken ct = default)
    {
        var channel = Channel.CreateUnbounded<TokenEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        int seen = 0;
        var done = Run(job, seq =>
        {
            int? id = seq.Ids.Count > seen ? seq.Last : null;
            seen = seq.Ids.Count;
            channel.Writer.TryWrite(new TokenEvent(id, id is null ? null : seq.LastLogProb, seq.Reason));
        }, ct);
        done.ContinueWith(t => channel.Writer.TryComplete(t.IsFaulted ? t.Exception!.InnerException : null), TaskScheduler.Default);
        return (done, channel.Reader);
    }

    void Loop()
    {
        Tensors.Gemm.RowExact = true;   // each row computes what it computes alone
        while (!_stop.IsCancellationRequested)
        {
            Admit();
            Drop(r => r.Cancelled, r => r.Done.TrySetCanceled());
            if (_active.Count == 0)
            {
                try { _wake.Wait(_stop.Token); } catch (OperationCanceledException) { break; }
                continue;
            }
            try { Step(); }
            catch (Exception e) { Drop(_ => true, r => r.Done.TrySetException(e)); }
            Drop(r => r.Seq.Done, r => r.Done.TrySetResult(r.Seq.Finish()));
        }
        Drop(_ => true, r => r.Done.TrySetCanceled());
        while (_queue.TryDequeue(out var r)) r.Done.TrySetCanceled();
    }

    // FIFO: the head waits until the batch has a place and the budget its KV cache.
    void Admit()
    {
        while (_active.Count < _limits.MaxBatch && _queue.TryPeek(out var head))
        {
            if (!head.Cancelled && _kvInUse + head.KvBytes > _limits.KvBudgetBytes && _active.Count > 0) break;
            _queue.TryDequeue(out _);
            Interlocked.Decrement(ref _queued);
            if (head.Cancelled) { head.Registration.Dispose(); head.Done.TrySetCanceled(); continue; }
            head.Cache = _model.NewCache(head.Job.Prompt.Length + head.Job.Sampling.MaxNewTokens);
            Interlocked.Add(ref _kvInUse, head.KvBytes);
            _active.Add(head);
        }
        Volatile.Write(ref _activeCount, _active.Count);
    }

    float[] _logits = [];   // the step's logits, reused while the batch keeps its size

    void Step()
    {
        // A row that has chosen no token yet feeds its whole prompt (prefill); the others their last token.
        var tokens = _active.Select(r => r.Seq.Ids.Count == 0 ? r.Job.Prompt : [r.Seq.Last]).ToArray();
        var hook = new SequenceSteering(_active.Select(r => r.Job.Steering).ToArray(), _active.Select(r => r.Job.Prompt.Length).ToArray());
        var logits = Buffers.Sized(ref _logits, _active.Count * _model.Vocab);
        _model.Forward(tokens, _active.Select(r => r.Cache!).ToArray(), logits, hook);
        Interlocked.Increment(ref _steps);
        for (int i = 0; i < _active.Count; i++)
        {
            var r = _active[i];
            if (r.Seq.Step(logits.AsSpan(i * _model.Vocab, _model.Vocab)) is int) Interlocked.Increment(ref _tokens);
            try { r.OnStep?.Invoke(r.Seq); }
            catch (Exception e) { r.Seq.Stop("error"); r.Done.TrySetException(e); }
        }
    }

    void Drop(Func<Row, bool> which, Action<Row> finish)
    {
        for (int i = _active.Count - 1; i >= 0; i--)
        {
            var r = _active[i];
            if (!which(r)) continue;
            _active.RemoveAt(i);
            r.Cache = null;
            Interlocked.Add(ref _kvInUse, -r.KvBytes);
            Volatile.Write(ref _activeCount, _active.Count);   // before finish wakes the waiter, who may read the stats at once
            r.Registration.Dispose();
            finish(r);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}
