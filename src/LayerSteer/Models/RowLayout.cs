namespace LayerSteer.Models;

/// <summary>Which sequence and absolute position each row of a batched activation matrix holds.
/// Rows of one sequence are contiguous and consecutive in position.</summary>
public sealed class RowLayout
{
    public int Rows { get; }
    public int Sequences => Start.Length;
    public int[] Seq { get; }
    public int[] Pos { get; }
    public int[] Start { get; }
    public int[] Count { get; }
    /// <summary>Per sequence, the length of the whole forward its rows belong to (what Phi-3's longrope picks its factors by):
    /// its last row's position + 1, unless the caller runs a prefix ahead of the rest and says how long the whole will be.</summary>
    public int[] SequenceLength { get; }
    /// <summary>Row index of the last row of each sequence that has rows (sequences with none are skipped), in order.</summary>
    public int[] LastRows { get; }

    /// <summary>Sequence s contributes counts[s] rows starting at position firstPos[s].</summary>
    public RowLayout(IReadOnlyList<int> counts, IReadOnlyList<int> firstPos, IReadOnlyList<int>? sequenceLengths = null)
    {
        Start = new int[counts.Count];
        Count = counts.ToArray();
        SequenceLength = sequenceLengths?.ToArray() ?? counts.Select((c, s) => firstPos[s] + c).ToArray();
        Rows = Count.Sum();
        Seq = new int[Rows];
        Pos = new int[Rows];
        for (int s = 0, r = 0; s < Count.Length; s++)
        {
            Start[s] = r;
            for (int i = 0; i < Count[s]; i++, r++) { Seq[r] = s; Pos[r] = firstPos[s] + i; }
        }
        LastRows = Enumerable.Range(0, Sequences).Where(s => Count[s] > 0).Select(s => Start[s] + Count[s] - 1).ToArray();
    }

    /// <summary>This layout for the next step, refilled in place (no allocation) when every sequence adds as many rows as now (a
    /// decode step after a decode step): positions continue from the caches' lengths (rows, starts and last rows stay). Null when the
    /// counts differ.</summary>
    internal RowLayout? Advanced(IReadOnlyList<int[]> tokens, KvCache[] caches)
    {
        if (tokens.Count != Count.Length) return null;
        for (int s = 0; s < Count.Length; s++) if (tokens[s].Length != Count[s]) return null;
        for (int s = 0; s < Count.Length; s++)
        {
            int first = caches[s].Length;
            SequenceLength[s] = first + Count[s];
            for (int i = 0; i < Count[s]; i++) Pos[Start[s] + i] = first + i;
        }
        return this;
    }

}
