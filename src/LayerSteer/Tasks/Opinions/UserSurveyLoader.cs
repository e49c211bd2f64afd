using System.Globalization;
using System.Text.Json;

namespace LayerSteer.Tasks.Opinions;

/// <summary>Loads a user's own survey: questions, options and a target distribution, from JSONL or CSV.</summary>
/// <remarks>
/// JSONL (.jsonl), one object per line:
///   {"id": "q1", "question": "Do you like tea?", "options": ["Yes", "No"], "distribution": [0.7, 0.3]}
/// CSV (.csv, RFC 4180, header row required, extra columns ignored): columns id, question, options, distribution,
/// with options and distribution each separated by "|" (use JSONL for options containing "|"):
///   id,question,options,distribution
///   q1,"Do you like tea, or coffee?",Tea|Coffee,70|30
/// The distribution may be counts or probabilities (it is renormalised); options are kept as given (no "Refused"
/// dropping). An empty or missing id becomes "{file}:{line}". Rows that fail a check are skipped and counted.
/// </remarks>
public static class UserSurveyLoader
{
    public static GroupOpinions Load(string path)
    {
        if (!File.Exists(path)) throw LayerSteerException.InFile(path, "file not found");
        string ext = Path.GetExtension(path).ToLowerInvariant();
        string name = Path.GetFileNameWithoutExtension(path);
        var rows = ext switch
        {
            ".jsonl" => JsonlRows(path, name),
            ".csv" => CsvRows(path, name),
            _ => throw LayerSteerException.InFile(path, $"unknown survey format \"{ext}\"; use .jsonl or .csv"),
        };
        var report = new LoadReport();
        var examples = new List<OpinionExample>();
        var ids = new HashSet<string>();
        foreach (var (source, row, problem) in rows)
        {
            if (row is null) { report.Skip(source, source, SkipReason.BadRow, problem!); continue; }
            if (!ids.Add(row.Id)) { report.Skip(source, row.Id, SkipReason.BadRow, "id used by an earlier row"); continue; }
            string? bad = OpinionChecks.OptionsProblem(row.Options);
            if (bad is not null) { report.Skip(source, row.Id, SkipReason.BadOptions, bad); continue; }
            if (row.Distribution is null) { report.Skip(source, row.Id, SkipReason.BadCount, "distribution has a value that is not a number"); continue; }
            var example = OpinionChecks.Example(new SurveyQuestion(row.Id, name, row.Question, row.Options), row.Distribution, report, source);
            if (example is not null) examples.Add(example);
        }
        return new GroupOpinions(name, examples, report);
    }

    /// <summary>One parsed row; <see cref="Distribution"/> is null when a value is not a number.</summary>
    sealed record Row(string Id, string Question, List<string> Options, double[]? Distribution);

    static IEnumerable<(string Source, Row? Row, string? Problem)> JsonlRows(string path, string name)
    {
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            string source = $"{name}:{line}";
            JsonElement j = default;
            string? error = null;
            try { j = JsonSerializer.Deserialize<JsonElement>(text); }
            catch (JsonException e) { error = $"not valid JSON ({e.Message})"; }
            yield return error is null ? JsonRow(j, source) : (source, null, error);
        }
    }

    static (string, Row?, string?) JsonRow(JsonElement j, string source)
    {
        if (j.ValueKind != JsonValueKind.Object) return (source, null, "not a JSON object");
        string? question = Str(j, "question");
        if (string.IsNullOrWhiteSpace(question)) return (source, null, "missing \"question\" string");
        if (!j.TryGetProperty("options", out var o) || o.ValueKind != JsonValueKind.Array || o.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
            return (source, null, "missing \"options\" array of strings");
        if (!j.TryGetProperty("distribution", out var d) || d.ValueKind != JsonValueKind.Array)
            return (source, null, "missing \"distribution\" array of numbers");
        double[]? dist = d.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Number) ? d.EnumerateArray().Select(x => x.GetDouble()).ToArray() : null;
        string id = Str(j, "id") is { Length: > 0 } s ? s : source;
        return (source, new Row(id, question.Trim(), o.EnumerateArray().Select(x => x.GetString()!.Trim()).ToList(), dist), null);
    }

    static string? Str(JsonElement j, string key) =>
        j.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    static IEnumerable<(string Source, Row? Row, string? Problem)> CsvRows(string path, string name)
    {
        var rows = Csv.Parse(File.ReadAllText(path), path).ToList();
        if (rows.Count == 0) throw LayerSteerException.InFile(path, "empty file; expected a header row id,question,options,distribution");
        int[] col = Csv.Columns(rows[0].Fields.Select(h => h.Trim()).ToArray(), path, "id", "question", "options", "distribution");
        foreach (var (line, f) in rows.Skip(1))
        {
            string source = $"{name}:{line}";
            if (f.Length <= col.Max()) { yield return (source, null, $"{f.Length} cells; the header has {rows[0].Fields.Length}"); continue; }
            if (string.IsNullOrWhiteSpace(f[col[1]])) { yield return (source, null, "empty question"); continue; }
            var dist = f[col[3]].Split('|', StringSplitOptions.TrimEntries)
                .Select(x => double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN).ToArray();
            var options = f[col[2]].Split('|', StringSplitOptions.TrimEntries).ToList();
            string id = f[col[0]].Trim() is { Length: > 0 } s ? s : source;
            yield return (source, new Row(id, f[col[1]].Trim(), options, dist.Any(double.IsNaN) ? null : dist), null);
        }
    }
}
