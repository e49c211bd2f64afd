namespace LayerSteer.Tasks.Opinions;

/// <summary>The validation every survey source shares: a usable option list, and counts that renormalise to π.</summary>
static class OpinionChecks
{
    /// <summary>Options are lettered A..Z, so at most 26.</summary>
    public const int MaxOptions = 26;

    /// <summary>Why <paramref name="options"/> cannot be asked, or null when it can.</summary>
    public static string? OptionsProblem(IReadOnlyList<string> options)
    {
        if (options.Count < 2) return $"{options.Count} option(s); need at least 2";
        if (options.Count > MaxOptions) return $"{options.Count} options; at most {MaxOptions} (letters A..Z)";
        if (options.Any(string.IsNullOrWhiteSpace)) return "an option is empty";
        var dup = options.GroupBy(o => o, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        return dup is null ? null : $"option \"{dup.Key}\" appears twice";
    }

    /// <summary>The example with π = counts / total, or null (and a skip in <paramref name="report"/>) when the counts cannot give one.</summary>
    public static OpinionExample? Example(SurveyQuestion q, double[] counts, LoadReport report, string source)
    {
        if (counts.Length != q.Options.Count)
        {
            report.Skip(source, q.Id, SkipReason.OptionCountMismatch, $"{q.Options.Count} options but {counts.Length} values");
            return null;
        }
        int bad = Array.FindIndex(counts, c => !double.IsFinite(c) || c < 0);
        if (bad >= 0)
        {
            report.Skip(source, q.Id, SkipReason.BadCount, $"value {counts[bad]} for option \"{q.Options[bad]}\" is not a non-negative number");
            return null;
        }
        double total = counts.Sum();
        if (total <= 0)
        {
            report.Skip(source, q.Id, SkipReason.ZeroTotal, "all values are zero");
            return null;
        }
        return new OpinionExample(q, counts.Select(c => c / total).ToArray());
    }
}
