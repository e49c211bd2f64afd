using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using LayerSteer.Experiments;
using LayerSteer.Hub;
using LayerSteer.Inference;
using LayerSteer.Intervention;
using LayerSteer.Tasks;
using LayerSteer.Tokenizers;
using LayerSteer.Training;

namespace LayerSteer.Server;

/// <summary>A fit job as GET /v1/jobs/{id} reports it: state (queued, running, succeeded, failed, cancelled), step, loss, support.</summary>
public sealed record FitJobView(string Id, string Vector, string State, int Step, int Steps, double? Loss, double? Objective,
    int? NonzeroHeads, int? NonzeroEntries, string? Error, long CreatedAt, long? FinishedAt, string Object = "fit.job");

/// <summary>Fits Δ for POST /v1/vectors/{name}/fit, one job at a time on a thread of its own, beside generation: while the
/// scheduler is busy each step is followed by an equal pause, so a fit takes at most half of the machine from serving. The result
/// is saved atomically into the registry's folder and becomes usable at once.</summary>
public sealed class FitJobs : IDisposable
{
    const int MaxExamples = 1000, MaxSteps = 5000, KeepFinished = 256;
    static readonly TimeSpan MaxPause = TimeSpan.FromMilliseconds(250);

    sealed record Job(string Id, string Name, TaskPairs Task, TaskSplit Split, PromptTemplate Template, VectorSettings Settings)
    {
        public volatile FitJobView View = null!;
    }

    readonly ModelBundle _bundle;
    readonly string _modelDir;
    readonly VectorRegistry _registry;
    readonly BatchScheduler _scheduler;
    readonly ConcurrentDictionary<string, Job> _jobs = new();
    readonly BlockingCollection<Job> _queue;
    readonly Thread _thread;
    readonly CancellationTokenSource _stopping = new();

    /// <summary>Task NAMEs are looked up in <paramref name="modelDir"/>'s tasks/ folder.</summary>
    public FitJobs(ModelBundle bundle, string modelDir, VectorRegistry registry, BatchScheduler scheduler, int maxQueued)
    {
        (_bundle, _modelDir, _registry, _scheduler) = (bundle, modelDir, registry, scheduler);
        _queue = new BlockingCollection<Job>(Math.Max(1, maxQueued));
        _thread = new Thread(Work) { IsBackground = true, Name = "layersteer-fit", Priority = ThreadPriority.BelowNormal };
        _thread.Start();
    }

    public int Pending => _queue.Count;

    public FitJobView? Get(string id) => _jobs.TryGetValue(id, out var j) ? j.View : null;

    /// <summary>Checks the request (400 on anything wrong) and queues the fit; 429 when the queue is full.</summary>
    public FitJobView Submit(string name, JsonArgs body)
    {
        VectorRegistry.CheckName(name);
        if (!_registry.Writable) throw ApiError.BadRequest("this server was started without --vectors: fitted vectors have nowhere to go", null, "no_registry");
        if (_bundle.Tokenizer is null) throw ApiError.BadRequest("this model has no tokenizer: fits need text examples");
        var model = _bundle.Model;
        string templateName = body.String("template") ?? RunDefaults.Template.Name;
        PromptTemplate template = templateName switch
        {
            "fv" => PromptTemplate.Fv, "paper" => PromptTemplate.Paper,
            _ => throw ApiError.BadRequest($"template \"{templateName}\" is not one of fv, paper", "template"),
        };
        int seed = body.Int("seed", int.MinValue, int.MaxValue) ?? 0;
        var (task, split) = Examples(body, seed);
        int layers = model.Config.NumLayers;
        var fit = new FitOptions();
        fit = fit with
        {
            Gamma = body.Float("gamma", 0, 100) ?? fit.Gamma,
            Lambda = body.Float("lambda", 0, 100) ?? fit.Lambda,
            Steps = body.Int("steps", 1, MaxSteps) ?? fit.Steps,
            Lr = body.Float("lr", 1e-6f, 10) ?? fit.Lr,
            Optimizer = body.String("optimizer") switch
            {
                null => fit.Optimizer, "prox-adam" => OptimizerKind.ProxAdam, "adam" => OptimizerKind.Adam,
                var o => throw ApiError.BadRequest($"optimizer \"{o}\" is not one of prox-adam, adam", "optimizer"),
            },
        };
        var settings = new VectorSettings(body.Int("layer", 0, layers - 1) ?? DefaultLayers.Vector(layers),
            body.String("apply") switch { null or "last" => ApplyMode.Last, "all" => ApplyMode.All, var a => throw ApiError.BadRequest($"apply \"{a}\" is not one of last, all", "apply") },
            body.String("loss") switch { null or "full" => TokenReduction.Mean, "first" => TokenReduction.First, var l => throw ApiError.BadRequest($"loss \"{l}\" is not one of full, first", "loss") },
            fit);
        var job = new Job(Wire.NewId("fit"), name, task, split, template, settings);
        var queued = job.View = new FitJobView(job.Id, name, "queued", 0, fit.Steps, null, null, null, null, null, Wire.Now, null);
        _jobs[job.Id] = job;
        if (!_queue.TryAdd(job))
        {
            _jobs.TryRemove(job.Id, out _);
            throw ApiError.Busy($"{_queue.BoundedCapacity} fit jobs are already waiting; retry later");
        }
        foreach (var old in _jobs.Values.Where(j => j.View.FinishedAt != null).OrderBy(j => j.View.FinishedAt).SkipLast(KeepFinished)) _jobs.TryRemove(old.Id, out _);
        return queued;   // the worker may already have started it
    }

    // Either "examples": [{"input", "output"}…] (all of them train Δ), or "task": NAME from the model's tasks/ folder with
    // "shots" training pairs drawn by "seed" (as `layersteer fit` draws them).
    (TaskPairs, TaskSplit) Examples(JsonArgs body, int seed)
    {
        if (body.Get("examples") is { } ex)
        {
            if (body.Get("task") is not null) throw ApiError.BadRequest("give either examples or task, not both", "task");
            if (ex.ValueKind != JsonValueKind.Array || ex.GetArrayLength() == 0 || ex.GetArrayLength() > MaxExamples)
                throw ApiError.BadRequest($"examples must be a list of 1..{MaxExamples} {{\"input\", \"output\"}} objects", "examples");
            var pairs = ex.EnumerateArray().Select((e, i) =>
            {
                var a = e.ValueKind == JsonValueKind.Object ? new JsonArgs(e) : throw ApiError.BadRequest($"examples[{i}] must be an object", $"examples[{i}]");
                string x = a.String("input")?.Trim() ?? "", y = a.String("output")?.Trim() ?? "";
                if (x.Length == 0 || y.Length == 0) throw ApiError.BadRequest($"examples[{i}] needs a non-empty \"input\" and \"output\"", $"examples[{i}]");
                return new Pair(x, y);
            }).ToArray();
            var named = new TaskPairs(body.String("task_name") ?? "examples", pairs);
            return (named, new TaskSplit(seed, pairs, []));
        }
        string name = body.String("task") ?? throw ApiError.BadRequest("give examples ([{\"input\", \"output\"}…]) or task (a NAME in the model's tasks/ folder)", "examples");
        if (!VectorRegistry.IsName(name)) throw ApiError.BadRequest($"task \"{name}\" must be a NAME like antonym (no paths)", "task");
        try
        {
            var task = TaskPairs.Resolve(name, TaskPairs.SearchRoots(null, _modelDir, []));
            return (task, TaskSplit.Make(task, body.Int("shots", 1, MaxExamples) ?? RunDefaults.Shots, 0, seed));
        }
        catch (LayerSteerException e) { throw ApiError.BadRequest(e.Message.Replace(_modelDir, "<model>"), "task"); }
    }

    void Work()
    {
        foreach (var job in _queue.GetConsumingEnumerable())
        {
            if (_stopping.IsCancellationRequested) { Cancel(job); continue; }   // queued behind the fit running at shutdown
            job.View = job.View with { State = "running" };
            try
            {
                var enc = new TaskEncoder(_bundle.Tokenizer!, job.Template);
                var clock = Stopwatch.StartNew();
                var result = VectorTraining.Fit(_bundle.Model, enc, job.Split.Train, job.Settings, step =>
                {
                    job.View = job.View with { Step = step.Step + 1, Loss = step.Loss, Objective = step.Objective, NonzeroHeads = step.NonzeroHeads, NonzeroEntries = step.NonzeroEntries };
                    _stopping.Token.ThrowIfCancellationRequested();   // the server is shutting down
                    var took = clock.Elapsed;
                    if (_scheduler.Busy) Thread.Sleep(took < MaxPause ? took : MaxPause);   // yield to generation
                    clock.Restart();
                });
                _registry.Save(job.Name, VectorTraining.ToVector(_bundle.Model, job.Task, job.Template, job.Split, job.Settings, result));
                job.View = job.View with
                {
                    State = "succeeded", Step = result.Steps, Loss = result.Loss, Objective = result.Objective,
                    NonzeroHeads = result.NonzeroHeads.Length, NonzeroEntries = result.NonzeroEntries, FinishedAt = Wire.Now,
                };
            }
            catch (Exception e) when (e is LayerSteerException or ApiError)
            {
                job.View = job.View with { State = "failed", Error = e.Message, FinishedAt = Wire.Now };
            }
            catch (OperationCanceledException) { Cancel(job); }
        }
    }

    static void Cancel(Job job) => job.View = job.View with { State = "cancelled", Error = "the server shut down before the fit finished", FinishedAt = Wire.Now };

    /// <summary>Stops at once: the running fit ends at its next step, queued ones are dropped.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _queue.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(30));
    }
}
