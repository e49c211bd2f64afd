namespace LayerSteer.Tokenizers.Training;

/// <summary>A trained byte-level BPE: the vocabulary (special tokens, then the 256 byte characters, then one token per
/// merge) and the merges in rank order.</summary>
public sealed record TrainedBpe(IReadOnlyList<string> Specials, IReadOnlyList<string> Tokens, IReadOnlyList<(string Left, string Right)> Merges)
{
    /// <summary>Token id → string: specials first (id 0 = the first special), then bytes, then merges.</summary>
    public IReadOnlyList<string> Vocab => [.. Specials, .. Tokens];
}

/// <summary>Trains a byte-level BPE the way GPT-2's was made: split text with the GPT-2 pre-tokenizer regex, spell each
/// word in byte characters, then repeatedly merge the most frequent adjacent pair (ties: the pair whose merged string
/// sorts first, so training is deterministic) until the vocabulary has the requested size.</summary>
public static class BpeTrainer
{
    public static TrainedBpe Train(IEnumerable<string> texts, int vocabSize, IReadOnlyList<string> specials)
    {
        int minimum = specials.Count + 256;
        if (vocabSize <= minimum) throw new LayerSteerException($"--vocab {vocabSize} must exceed {minimum} (256 bytes + {specials.Count} special tokens)");
        var pre = new ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: true);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var words = new List<string>();
        foreach (string t in texts)
        {
            words.Clear();
            pre.PreTokenize(t, true, words);
            foreach (var w in words) counts[w] = counts.GetValueOrDefault(w) + 1;
        }

        var tokens = ByteLevel.ByteToChar.Select(c => c.ToString()).ToList();
        var id = tokens.Select((s, i) => (s, i)).ToDictionary(p => p.s, p => p.i, StringComparer.Ordinal);
        var entries = counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
        var sym = entries.Select(kv => kv.Key.Select(c => id[c.ToString()]).ToList()).ToArray();
        var freq = entries.Select(kv => kv.Value).ToArray();
        var pairCount = new Dictionary<long, long>();
        var where = new Dictionary<long, HashSet<int>>();
        static long Key(int a, int b) => ((long)a << 32) | (uint)b;
        void Count(int w, int sign)
        {
            var s = sym[w];
            for (int i = 0; i + 1 < s.Count; i++)
            {
                long k = Key(s[i], s[i + 1]);
                pairCount[k] = pairCount.GetValueOrDefault(k) + sign * freq[w];
                if (sign > 0) { if (!where.TryGetValue(k, out var set)) where[k] = set = []; set.Add(w); }
            }
        }
        for (int w = 0; w < sym.Length; w++) Count(w, +1);

        var merges = new List<(string, string)>();
        while (specials.Count + tokens.Count < vocabSize)
        {
            long best = -1, bestCount = 0;
            string? bestText = null;
            foreach (var (k, c) in pairCount)
            {
                if (c < bestCount || c <= 0) continue;
                string text = tokens[(int)(k >> 32)] + tokens[(int)(uint)k];
                if (c > bestCount || string.CompareOrdinal(text, bestText) < 0) (best, bestCount, bestText) = (k, c, text);
            }
            if (best < 0) break;   // every word is a single token: the corpus cannot fill a larger vocabulary
            int a = (int)(best >> 32), b = (int)(uint)best, merged = tokens.Count;
            tokens.Add(bestText!);
            merges.Add((tokens[a], tokens[b]));
            foreach (int w in where[best].ToArray())
            {
                Count(w, -1);
                var s = sym[w];
                for (int i = 0; i + 1 < s.Count; i++)
                    if (s[i] == a && s[i + 1] == b) { s[i] = merged; s.RemoveAt(i + 1); }
                Count(w, +1);
            }
            pairCount.Remove(best);
            where.Remove(best);
        }
        return new TrainedBpe(specials, tokens, merges);
    }
}
