using System.Globalization;

namespace LayerSteer.Judges;

/// <summary>A WordNet pointer: a relation ("!" antonym, "&amp;" similar-to, ...) to a synset of a part of speech.</summary>
readonly record struct Pointer(string Symbol, int Part, int Offset);

/// <summary>A WordNet synset: its type (n, v, a, s = adjective satellite, r), lemmas and pointers.</summary>
sealed record Synset(char Type, string[] Lemmas, Pointer[] Pointers)
{
    /// <summary>Parts of speech in the order of WordNet's files: noun, verb, adj, adv.</summary>
    public static int Part(char pos) => pos switch { 'n' => 0, 'v' => 1, 'a' or 's' => 2, 'r' => 3, _ => -1 };

    /// <summary>Parses a data.* line: "offset lex_filenum ss_type w_cnt (word lex_id)* p_cnt (symbol offset pos src/tgt)* ... | gloss".
    /// Returns null when the line does not have that shape.</summary>
    public static Synset? Parse(string line)
    {
        var bar = line.IndexOf(" | ", StringComparison.Ordinal);
        var t = (bar < 0 ? line : line[..bar]).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (t.Length < 5 || t[2].Length != 1 || Part(t[2][0]) < 0) return null;
        if (!int.TryParse(t[3], NumberStyles.HexNumber, null, out int words)) return null;
        int p = 4 + 2 * words;
        if (p >= t.Length || !int.TryParse(t[p], out int pointers) || p + 1 + 4 * pointers > t.Length) return null;
        var lemmas = new string[words];
        for (int i = 0; i < words; i++) lemmas[i] = Lemma(t[4 + 2 * i]);
        var ptrs = new Pointer[pointers];
        for (int i = 0; i < pointers; i++)
        {
            int q = p + 1 + 4 * i;
            if (t[q + 2].Length != 1 || Part(t[q + 2][0]) < 0 || !int.TryParse(t[q + 1], out int offset)) return null;
            ptrs[i] = new Pointer(t[q], Part(t[q + 2][0]), offset);
        }
        return new Synset(t[2][0], lemmas, ptrs);
    }

    // "ice_cream" → "ice cream"; adjective position markers go: "galore(ip)" → "galore".
    static string Lemma(string word)
    {
        int paren = word.IndexOf('(');
        return (paren > 0 ? word[..paren] : word).Replace('_', ' ').ToLowerInvariant();
    }
}
