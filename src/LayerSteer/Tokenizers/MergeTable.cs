namespace LayerSteer.Tokenizers;

/// <summary>The merge of two adjacent ids, if any: (rank, merged id); the lowest rank merges first, leftmost among equals.</summary>
public interface IMergeRanks
{
    bool TryGet(int left, int right, out (int Rank, int Id) merge);
}

/// <summary>BPE merges listed in a file: (left id, right id) → (rank, merged id).</summary>
public sealed class MergeTable : IMergeRanks
{
    readonly Dictionary<long, (int Rank, int Id)> pairs = new(new PairHash());

    /// <summary>One long for a pair of ids, hashed with <see cref="PairHash"/>.</summary>
    internal static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>Adds a merge; a pair listed twice keeps its first (best) rank.</summary>
    public void Add(int left, int right, int rank, int merged) => pairs.TryAdd(Key(left, right), (rank, merged));

    public bool TryGet(int left, int right, out (int Rank, int Id) merge) => pairs.TryGetValue(Key(left, right), out merge);
}

/// <summary>A hash for <see cref="MergeTable.Key"/>: long's own is left ^ right, which piles pairs of small ids into few buckets.</summary>
internal sealed class PairHash : IEqualityComparer<long>
{
    public bool Equals(long a, long b) => a == b;
    public int GetHashCode(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> 32);
}

/// <summary>The BPE loop over any <see cref="IMergeRanks"/>.</summary>
public static class MergeRanks
{
    /// <summary>Merges <paramref name="symbols"/> in place until no adjacent pair is in the table.</summary>
    public static void Apply<T>(this T ranks, List<int> symbols) where T : IMergeRanks
    {
        int n = symbols.Count;
        if (n < 2) return;
        int[] id = symbols.ToArray(), prev = new int[n], next = new int[n];
        bool[] gone = new bool[n];
        for (int i = 0; i < n; i++) { prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1; }

        // Heap of candidate pairs keyed by (rank, position of the left symbol); stale entries are skipped on pop.
        var heap = new PriorityQueue<int, long>();
        void Push(int left)
        {
            if (left >= 0 && next[left] >= 0 && ranks.TryGet(id[left], id[next[left]], out var m)) heap.Enqueue(left, ((long)m.Rank << 32) | (uint)left);
        }
        for (int i = 0; i + 1 < n; i++) Push(i);

        while (heap.TryDequeue(out int left, out long key))
        {
            int right = next[left];
            if (gone[left] || right < 0 || !ranks.TryGet(id[left], id[right], out var m) || m.Rank != (int)(key >> 32)) continue;
            id[left] = m.Id;
            gone[right] = true;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            Push(prev[left]);
            Push(left);
        }

        symbols.Clear();
        for (int i = 0; i >= 0; i = next[i]) symbols.Add(id[i]);
    }
}
