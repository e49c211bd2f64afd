namespace LayerSteer.Tasks.Opinions;

/// <summary>Why a question or row was not loaded.</summary>
public enum SkipReason
{
    /// <summary>The question is absent from info.csv, or has no text.</summary>
    MissingQuestion,
    /// <summary>The option list is unusable: unparseable, fewer than 2, more than 26, or repeated options.</summary>
    BadOptions,
    /// <summary>The counts do not match the options (a key not among them, or a different number of values).</summary>
    OptionCountMismatch,
    /// <summary>A count is negative, not finite, or not a number.</summary>
    BadCount,
    /// <summary>No respondents remain after dropping "Refused".</summary>
    ZeroTotal,
    /// <summary>The question has no counts for the group.</summary>
    NoGroupCounts,
    /// <summary>A user file row that cannot be read: bad JSON, a missing field or cell, a repeated id.</summary>
    BadRow,
}

/// <summary>One skipped item: where (wave or file:line), which question, why, and the specifics.</summary>
public sealed record SkippedItem(string Source, string Item, SkipReason Reason, string Detail);

/// <summary>What a load kept and what it skipped, so malformed rows are counted and explained instead of crashing the run.</summary>
public sealed class LoadReport
{
    readonly List<SkippedItem> skipped = [];
    readonly List<string> notes = [];

    public IReadOnlyList<SkippedItem> Skipped => skipped;
    /// <summary>File-level remarks, e.g. a wave without the attribute's file.</summary>
    public IReadOnlyList<string> Notes => notes;

    public void Skip(string source, string item, SkipReason reason, string detail) => skipped.Add(new(source, item, reason, detail));
    public void Note(string note) => notes.Add(note);

    public int Count(SkipReason reason) => skipped.Count(s => s.Reason == reason);

    /// <summary>"N skipped (reason: n, …)" for logs.</summary>
    public string Summary() => skipped.Count == 0 ? "0 skipped"
        : $"{skipped.Count} skipped ({string.Join(", ", skipped.GroupBy(s => s.Reason).Select(g => $"{g.Key}: {g.Count()}"))})";
}
