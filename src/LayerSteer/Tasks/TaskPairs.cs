using System.Text.Json;
using LayerSteer.Formats;

namespace LayerSteer.Tasks;

/// <summary>One (input, output) example of a task, e.g. ("hot", "cold") for antonym.</summary>
public sealed record Pair(string Input, string Output);

/// <summary>A task: a name and its pairs, from a function_vectors-style JSON file or two chained tasks.</summary>
public sealed record TaskPairs(string Name, Pair[] Pairs)
{
    /// <summary>The two tasks a composed task chains (A, B for "A>B"); null for a task read from a file.</summary>
    public (TaskPairs First, TaskPairs Second)? Parts { get; init; }

    /// <summary>A task named by file path, "NAME", or "A>B" (A then B, e.g. antonym>english-french), looked up as NAME.json in
    /// each folder of <paramref name="roots"/> in order (see <see cref="SearchRoots"/>).</summary>
    public static TaskPairs Resolve(string spec, IReadOnlyList<string> roots)
    {
        if (File.Exists(spec)) return Load(spec);
        int chain = spec.IndexOf('>');
        if (chain > 0) return Compose(Resolve(spec[..chain], roots), Resolve(spec[(chain + 1)..], roots));
        foreach (var r in roots)
        {
            string f = Path.Combine(r, spec + ".json");
            if (File.Exists(f)) return Load(f);
        }
        var known = roots.Where(Directory.Exists).SelectMany(r => Directory.GetFiles(r, "*.json")).Select(Path.GetFileNameWithoutExtension).Distinct().Order();
        throw new LayerSteerException($"unknown task \"{spec}\": no {spec}.json in {string.Join(", ", roots.DefaultIfEmpty("(no task folders found)"))}. " +
                                      $"Known tasks: {string.Join(", ", known.DefaultIfEmpty("none"))}");
    }

    /// <summary>Where task NAMEs are looked up: the user's folder (and its abstractive/ and extractive/, the
    /// function_vectors layout), the model folder's tasks/, then each extra function_vectors-style folder.</summary>
    public static List<string> SearchRoots(string? dataDir, string? modelDir, IEnumerable<string> functionVectorDirs)
    {
        var roots = new List<string>();
        if (dataDir != null) roots.AddRange([dataDir, Path.Combine(dataDir, "abstractive"), Path.Combine(dataDir, "extractive")]);
        if (modelDir != null && Directory.Exists(modelDir)) roots.Add(Path.Combine(modelDir, "tasks"));
        foreach (var fv in functionVectorDirs) roots.AddRange([Path.Combine(fv, "abstractive"), Path.Combine(fv, "extractive")]);
        return roots;
    }

    /// <summary>Reads [{"input": "...", "output": "..."}, ...]; empty or malformed files are errors naming the file.</summary>
    public static TaskPairs Load(string path)
    {
        if (!File.Exists(path)) throw LayerSteerException.InFile(path, "task file not found");
        using (var doc = JsonText.ParseFile(path))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw LayerSteerException.InFile(path, "expected a JSON array of {\"input\", \"output\"} objects");
            var pairs = new List<Pair>();
            int i = 0;
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("input", out var x) || !e.TryGetProperty("output", out var y)
                    || x.ValueKind != JsonValueKind.String || y.ValueKind != JsonValueKind.String)
                    throw LayerSteerException.InFile(path, $"entry {i} is not an object with string \"input\" and \"output\"");
                string xs = x.GetString()!.Trim(), ys = y.GetString()!.Trim();
                if (xs.Length == 0 || ys.Length == 0) throw LayerSteerException.InFile(path, $"entry {i} has an empty input or output");
                pairs.Add(new Pair(xs, ys));
                i++;
            }
            if (pairs.Count == 0) throw LayerSteerException.InFile(path, "the task has no pairs");
            return new TaskPairs(Path.GetFileNameWithoutExtension(path), pairs.ToArray());
        }
    }

    /// <summary>τ∘τ': each (x, y) of <paramref name="first"/> whose y is an input of <paramref name="second"/>
    /// (case-insensitive) becomes (x, second(y)).</summary>
    public static TaskPairs Compose(TaskPairs first, TaskPairs second)
    {
        var lookup = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in second.Pairs) lookup.TryAdd(p.Input, p.Output);
        var pairs = first.Pairs.Where(p => lookup.ContainsKey(p.Output)).Select(p => new Pair(p.Input, lookup[p.Output])).ToArray();
        if (pairs.Length == 0)
            throw new LayerSteerException($"composing {first.Name} then {second.Name} gives no pairs: no output of {first.Name} is an input of {second.Name}");
        return new TaskPairs($"{first.Name}>{second.Name}", pairs) { Parts = (first, second) };
    }
}
