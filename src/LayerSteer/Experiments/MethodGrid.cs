using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LayerSteer.Formats;
using LayerSteer.Models;
using LayerSteer.Tasks;

namespace LayerSteer.Experiments;

/// <summary>One cell of a grid: a method's score on a task for one seed.</summary>
public sealed record GridCell(string Method, string Task, int Seed, MethodScore Score);

/// <summary>A cached cell as stored: the cache format version, the full key it was computed under, and the score.</summary>
public sealed record CachedCell(int Version, string Key, MethodScore Score);

/// <summary>Runs methods × tasks × seeds on identical splits and prompts. With a cache folder each cell is a JSON file,
/// so an interrupted run resumes where it stopped, a shard (<see cref="GridShard"/>) computes only its cells, and a
/// complete cache assembles the tables without running anything.</summary>
public sealed class MethodGrid(Transformer model, TaskEncoder encoder, Func<TaskPairs, Evaluator> evaluatorFor, string? cacheDir)
{
    /// <summary>The cell-file format; files of another version are refused, never mixed in.</summary>
    public const int CacheVersion = 2;

    public int Shots { get; init; } = 10;
    public int TestSize { get; init; } = 200;
    public GridShard Shard { get; init; } = GridShard.All;
    /// <summary>Only read cells; a missing one is an error naming it.</summary>
    public bool FromCache { get; init; }

    /// <summary>The cells of this shard (all cells unsharded), computing those not cached.</summary>
    public IEnumerable<GridCell> Run(IReadOnlyList<Method> methods, IReadOnlyList<TaskPairs> tasks, int seeds, Action<GridCell, bool>? done = null)
    {
        if (cacheDir != null) { Directory.CreateDirectory(cacheDir); RefuseOldCells(cacheDir); }
        foreach (var task in tasks) TaskSplit.Make(task, Shots, TestSize, 0);   // a --shots too large fails before any cell runs
        if (FromCache) return Assemble(methods, tasks, seeds);
        return Compute(methods, tasks, seeds, done);
    }

    IEnumerable<GridCell> Compute(IReadOnlyList<Method> methods, IReadOnlyList<TaskPairs> tasks, int seeds, Action<GridCell, bool>? done)
    {
        int index = 0;
        foreach (var task in tasks)
            for (int seed = 0; seed < seeds; seed++)
            {
                MethodContext? ctx = null;
                foreach (var m in methods)
                {
                    if (!Shard.Owns(index++)) continue;
                    var (file, key) = Cell(m, task, seed);
                    var score = file != null && File.Exists(file) ? Read(file, key) : null;
                    bool cached = score != null;
                    if (score == null)
                    {
                        ctx ??= new MethodContext(model, encoder, TaskSplit.Make(task, Shots, TestSize, seed), evaluatorFor(task)) { Task = task };
                        score = m.Run(ctx);
                        if (file != null) AtomicFile.Write(file, s => JsonSerializer.Serialize(s, new CachedCell(CacheVersion, key, score)));
                    }
                    var cell = new GridCell(m.Name, task.Name, seed, score);
                    done?.Invoke(cell, cached);
                    yield return cell;
                }
            }
    }

    List<GridCell> Assemble(IReadOnlyList<Method> methods, IReadOnlyList<TaskPairs> tasks, int seeds)
    {
        if (cacheDir == null) throw new LayerSteerException("--from-cache needs a --cache folder");
        var cells = new List<GridCell>();
        var missing = new List<string>();
        foreach (var task in tasks)
            for (int seed = 0; seed < seeds; seed++)
                foreach (var m in methods)
                {
                    var (file, key) = Cell(m, task, seed);
                    if (File.Exists(file)) cells.Add(new GridCell(m.Name, task.Name, seed, Read(file!, key)));
                    else missing.Add($"{m.Name} / {task.Name} / seed {seed} ({Path.GetFileName(file)})");
                }
        if (missing.Count > 0)
            throw new LayerSteerException($"{cacheDir}: {missing.Count} of {cells.Count + missing.Count} cells are not cached yet: " +
                                          string.Join("; ", missing.Take(10)) + (missing.Count > 10 ? "; …" : "") + ". Run the missing shards first.");
        return cells;
    }

    // The cell's identity: cache version, model, judge, template, split sizes, task content (with a composed task's parts,
    // which methods may train on), the method's settings and the seed. The file name carries a digest of it; the file the
    // full key, so a digest collision or a stale file is caught on reading.
    (string? File, string Key) Cell(Method m, TaskPairs task, int seed)
    {
        string key = CacheKey.Of("cache_version", CacheVersion, "model", model.Fingerprint,
            "judge", evaluatorFor(task).Judging?.Judge.GetType().Name ?? "none", "template", encoder.Template.Name, "shots", Shots,
            "test_size", TestSize, "task", task.Name, "task_content", Digest(Content(task)), "seed", seed) + "\n" + m.Key;
        if (cacheDir == null) return (null, key);
        string h = Digest(key)[..12];
        return (Path.Combine(cacheDir, $"{Sanitize(m.Name)}_{Sanitize(task.Name)}_s{seed}_{h}.json"), key);
    }

    static string Digest(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    static string Content(TaskPairs t) => string.Join("\t", t.Pairs.Select(p => p.Input + "→" + p.Output))
        + (t.Parts is (var a, var b) ? $"\n{Content(a)}\n{Content(b)}" : "");

    static string Sanitize(string s) => new(s.Select(c => char.IsLetterOrDigit(c) || c == '-' ? c : '_').ToArray());

    static MethodScore Read(string file, string key)
    {
        CachedCell? c;
        try { c = JsonSerializer.Deserialize<CachedCell>(File.ReadAllText(file)); }
        catch (JsonException e) { throw LayerSteerException.InFile(file, $"corrupt cached result ({e.Message}); delete it to recompute"); }
        if (c is not { Version: CacheVersion, Score: not null })
            throw LayerSteerException.InFile(file, $"cached result of another cache format (version {c?.Version}, this build writes {CacheVersion}); rerun with an empty --cache folder");
        if (c.Key != key) throw LayerSteerException.InFile(file, "cached result was computed under other settings (its key differs); delete it to recompute");
        return c.Score;
    }

    // Cells written before cache version 2 are bare MethodScore objects whose names this build would never look up: refuse
    // the folder instead of silently recomputing beside them.
    static void RefuseOldCells(string dir)
    {
        foreach (var f in Directory.EnumerateFiles(dir, "*.json"))
        {
            using var doc = TryParse(f);
            if (doc?.RootElement is { ValueKind: JsonValueKind.Object } root && !root.TryGetProperty("Version", out _) && root.TryGetProperty("TestExact", out _))
                throw LayerSteerException.InFile(f, $"{dir} holds results of an older LayerSteer (cache format 1); rerun with an empty --cache folder (or delete the old files)");
        }
    }

    static JsonDocument? TryParse(string f)
    {
        try { return JsonDocument.Parse(File.ReadAllBytes(f)); }
        catch (JsonException) { return null; }
    }
}
