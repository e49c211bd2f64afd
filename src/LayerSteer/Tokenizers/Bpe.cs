using System.Collections.Concurrent;
using System.Text;

namespace LayerSteer.Tokenizers;

/// <summary>The BPE model: one pre-tokenized word → ids, starting from single characters and applying ranked merges.</summary>
/// <param name="unkId">Id for characters the vocabulary lacks; without it (and without byte fallback) they are dropped, as Hugging Face does.</param>
/// <param name="byteFallback">Spell a missing character as its UTF-8 bytes "&lt;0xNN&gt;" (SentencePiece models).</param>
/// <param name="fuseUnk">Consecutive unknown characters give one unk.</param>
/// <param name="ignoreMerges">A word that is itself in the vocabulary is taken whole (Llama 3).</param>
public sealed class Bpe(IReadOnlyDictionary<string, int> vocab, MergeTable merges, int? unkId = null,
    bool byteFallback = false, bool fuseUnk = false, bool ignoreMerges = false)
{
    const int CacheCapacity = 200_000, CachedWordLength = 256;

    public IReadOnlyDictionary<string, int> Vocab { get; } = vocab;
    readonly Dictionary<int, int> runeIds = vocab.Where(kv => IsOneRune(kv.Key)).ToDictionary(kv => Rune.GetRuneAt(kv.Key, 0).Value, kv => kv.Value);
    readonly int[]? byteIds = byteFallback ? ByteTokenIds(vocab) : null;
    readonly ConcurrentDictionary<string, int[]> cache = new(StringComparer.Ordinal);
    int cached; // ConcurrentDictionary.Count takes every lock

    /// <summary>Appends the ids of <paramref name="word"/>.</summary>
    public void Encode(string word, List<int> ids)
    {
        if (word.Length == 0) return;
        if (ignoreMerges && Vocab.TryGetValue(word, out int whole)) { ids.Add(whole); return; }
        bool cacheable = word.Length <= CachedWordLength;
        if (cacheable && cache.TryGetValue(word, out var hit)) { ids.AddRange(hit); return; }
        var symbols = Symbols(word);
        merges.Apply(symbols);
        if (cacheable && cached < CacheCapacity && cache.TryAdd(word, symbols.ToArray())) Interlocked.Increment(ref cached);
        ids.AddRange(symbols);
    }

    List<int> Symbols(string word)
    {
        var symbols = new List<int>(word.Length);
        bool lastWasUnk = false;
        Span<byte> utf8 = stackalloc byte[4];
        foreach (Rune r in word.EnumerateRunes())
        {
            if (runeIds.TryGetValue(r.Value, out int id)) { symbols.Add(id); lastWasUnk = false; continue; }
            int n = r.EncodeToUtf8(utf8);
            if (byteIds is not null && AllKnown(utf8[..n], byteIds))
            {
                for (int i = 0; i < n; i++) symbols.Add(byteIds[utf8[i]]);
                lastWasUnk = false;
                continue;
            }
            if (unkId is not int unk || (fuseUnk && lastWasUnk)) continue;
            symbols.Add(unk);
            lastWasUnk = true;
        }
        return symbols;
    }

    static bool AllKnown(ReadOnlySpan<byte> bytes, int[] byteIds)
    {
        foreach (byte b in bytes) if (byteIds[b] < 0) return false;
        return true;
    }

    static bool IsOneRune(string s) => s.Length > 0 && Rune.DecodeFromUtf16(s, out _, out int used) == System.Buffers.OperationStatus.Done && used == s.Length;

    // Id of "<0xNN>" for each byte, -1 where the vocabulary lacks it.
    static int[] ByteTokenIds(IReadOnlyDictionary<string, int> vocab)
    {
        var ids = new int[256];
        for (int b = 0; b < 256; b++) ids[b] = vocab.TryGetValue($"<0x{b:X2}>", out int id) ? id : -1;
        return ids;
    }
}
