using System.Text.Json;
using LayerSteer.Formats;

namespace LayerSteer.Tasks.Opinions;

/// <summary>Loads OpinionQA (tatsu-lab/opinions_qa data/human_resp): questions from each wave's info.csv and a group's answer counts from {ATTRIBUTE}_data.json.</summary>
/// <remarks>
/// The option list is info.csv's "references" (the data files' "MC_options" split options that contain commas);
/// "Refused" is dropped and the remaining counts renormalised; count keys match options case-insensitively
/// (POLICY3_W42 has "noR" for "nor"). Counts are unweighted respondent counts.
/// </remarks>
public static class OpinionQaLoader
{
    public const string Refused = "Refused";
    const string DataSuffix = "_data.json";

    /// <summary>Every question of <paramref name="group"/> with a valid distribution, from a wave folder or a folder of waves (e.g. human_resp).</summary>
    public static GroupOpinions Load(string path, OpinionGroup group)
    {
        var report = new LoadReport();
        var files = new List<(string Dir, string File)>();
        foreach (string dir in Waves(path))
        {
            string? file = AttributeFiles(dir).GetValueOrDefault(group.Attribute);
            if (file is null) report.Note($"{Path.GetFileName(dir)}: no {group.Attribute}{DataSuffix}");
            else files.Add((dir, file));
        }
        if (files.Count == 0)
            throw LayerSteerException.InFile(path, $"unknown attribute \"{group.Attribute}\"; available: {string.Join(", ", Attributes(path))}");

        var waves = files.Select(f => (f.Dir, Counts: ReadCounts(f.File))).ToList();
        var values = waves.SelectMany(w => w.Counts.Values.SelectMany(g => g.Keys)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!values.Contains(group.Value))
            throw LayerSteerException.InFile(path, $"unknown {group.Attribute} group \"{group.Value}\"; available: {string.Join("; ", values.Order(StringComparer.Ordinal))}");

        var examples = new List<OpinionExample>();
        foreach (var (dir, counts) in waves)
        {
            string wave = WaveName(dir);
            var info = ReadInfo(Path.Combine(dir, "info.csv"));
            foreach (var (id, groups) in counts)
            {
                var q = Question(id, wave, info, report);
                if (q is null) continue;
                var example = groups.TryGetValue(group.Value, out var c) ? Example(q, c, report)
                    : Skip<OpinionExample>(report, wave, id, SkipReason.NoGroupCounts, $"no counts for {group}");
                if (example is not null) examples.Add(example);
            }
        }
        return new GroupOpinions(group.ToString(), examples, report);
    }

    /// <summary>The attributes (data file names without "_data.json") found in any wave under <paramref name="path"/>.</summary>
    public static List<string> Attributes(string path) =>
        Waves(path).SelectMany(d => AttributeFiles(d).Keys).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The group values of <paramref name="attribute"/> found in any wave ("outer/inner" for two-level attributes).</summary>
    public static List<string> GroupValues(string path, string attribute) =>
        Waves(path).Select(d => AttributeFiles(d).GetValueOrDefault(attribute)).OfType<string>()
            .SelectMany(f => ReadCounts(f).Values.SelectMany(g => g.Keys)).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The wave folders: <paramref name="path"/> itself if it holds info.csv, else its subfolders that do.</summary>
    static List<string> Waves(string path)
    {
        if (File.Exists(Path.Combine(path, "info.csv"))) return [path];
        if (!Directory.Exists(path)) throw LayerSteerException.InFile(path, "folder not found");
        var dirs = Directory.GetDirectories(path).Where(d => File.Exists(Path.Combine(d, "info.csv"))).Order(StringComparer.Ordinal).ToList();
        return dirs.Count > 0 ? dirs
            : throw LayerSteerException.InFile(path, "no info.csv here or in its subfolders; expected an OpinionQA wave folder or the human_resp folder");
    }

    static string WaveName(string dir) { string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir)); return name[(name.LastIndexOf('_') + 1)..]; }

    static Dictionary<string, string> AttributeFiles(string dir) =>
        Directory.GetFiles(dir, "*" + DataSuffix).Order(StringComparer.Ordinal)
            .DistinctBy(Attribute, StringComparer.OrdinalIgnoreCase).ToDictionary(Attribute, StringComparer.OrdinalIgnoreCase);

    static string Attribute(string file) => Path.GetFileName(file)[..^DataSuffix.Length];

    /// <summary>info.csv rows by question key: (question text, references literal).</summary>
    static Dictionary<string, (string Text, string References)> ReadInfo(string path)
    {
        var rows = Csv.Parse(File.ReadAllText(path), path).ToList();
        if (rows.Count == 0) throw LayerSteerException.InFile(path, "empty file");
        int[] col = Csv.Columns(rows[0].Fields, path, "key", "question", "references");
        var info = new Dictionary<string, (string, string)>();
        foreach (var row in rows.Skip(1))
            if (row.Fields.Length > col.Max()) info.TryAdd(row.Fields[col[0]], (row.Fields[col[1]], row.Fields[col[2]]));
        return info;
    }

    /// <summary>question id → group value → that group's {option: count} object, flattening two-level attributes to "outer/inner".</summary>
    static Dictionary<string, Dictionary<string, JsonElement>> ReadCounts(string path)
    {
        using var doc = JsonText.ParseFile(path);
        var root = doc.RootElement.Clone();
        if (root.ValueKind != JsonValueKind.Object) throw LayerSteerException.InFile(path, "expected a JSON object of questions");
        var questions = new Dictionary<string, Dictionary<string, JsonElement>>();
        foreach (var q in root.EnumerateObject())
        {
            var groups = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
            if (q.Value.ValueKind == JsonValueKind.Object)
                foreach (var g in q.Value.EnumerateObject().Where(g => g.Value.ValueKind == JsonValueKind.Object))
                {
                    bool nested = g.Value.EnumerateObject().Any(c => c.Value.ValueKind == JsonValueKind.Object);
                    if (!nested) groups.TryAdd(g.Name, g.Value);
                    else foreach (var inner in g.Value.EnumerateObject()) groups.TryAdd($"{g.Name}/{inner.Name}", inner.Value);
                }
            questions[q.Name] = groups;
        }
        return questions;
    }

    static SurveyQuestion? Question(string id, string wave, Dictionary<string, (string Text, string References)> info, LoadReport report)
    {
        if (!info.TryGetValue(id, out var row) || string.IsNullOrWhiteSpace(row.Text))
            return Skip<SurveyQuestion>(report, wave, id, SkipReason.MissingQuestion, "not in info.csv (or no question text)");
        var refs = PythonStringList.Parse(row.References);
        if (refs is null) return Skip<SurveyQuestion>(report, wave, id, SkipReason.BadOptions, $"info.csv references is not a list of strings: {row.References}");
        var options = refs.Where(o => !o.Equals(Refused, StringComparison.OrdinalIgnoreCase)).ToList();
        string? problem = OpinionChecks.OptionsProblem(options);
        return problem is null ? new SurveyQuestion(id, wave, row.Text.Trim(), options) : Skip<SurveyQuestion>(report, wave, id, SkipReason.BadOptions, problem);
    }

    /// <summary>The group's counts laid out in option order ("Refused" dropped), then checked and renormalised.</summary>
    static OpinionExample? Example(SurveyQuestion q, JsonElement counts, LoadReport report)
    {
        var counted = new double[q.Options.Count];
        foreach (var c in counts.EnumerateObject())
        {
            if (c.Name.Equals(Refused, StringComparison.OrdinalIgnoreCase)) continue;
            int k = Enumerable.Range(0, q.Options.Count).FirstOrDefault(i => q.Options[i].Equals(c.Name, StringComparison.OrdinalIgnoreCase), -1);
            if (k < 0) return Skip<OpinionExample>(report, q.Wave, q.Id, SkipReason.OptionCountMismatch, $"count key \"{c.Name}\" is not an option in info.csv");
            if (c.Value.ValueKind != JsonValueKind.Number) return Skip<OpinionExample>(report, q.Wave, q.Id, SkipReason.BadCount, $"count for \"{c.Name}\" is not a number");
            counted[k] += c.Value.GetDouble();
        }
        return OpinionChecks.Example(q, counted, report, q.Wave);
    }

    static T? Skip<T>(LoadReport report, string source, string id, SkipReason reason, string detail) where T : class
    {
        report.Skip(source, id, reason, detail);
        return null;
    }
}
