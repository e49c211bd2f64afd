using System.Globalization;
using System.Text;

namespace LayerSteer.Judges;

/// <summary>How judges compare words: case, typography, articles and (as a fallback) accents.</summary>
static class Words
{
    // Accented Latin letters and ligatures → plain letters. A table, not Unicode decomposition: the project
    // runs with invariant globalization, where string.Normalize does not decompose.
    static readonly Dictionary<char, string> Plain = new (string From, string To)[]
    {
        ("àáâãäåāăą", "a"), ("çćĉċč", "c"), ("ďđ", "d"), ("èéêëēĕėęě", "e"), ("ĝğġģ", "g"), ("ĥħ", "h"),
        ("ìíîïĩīĭįı", "i"), ("ĵ", "j"), ("ķ", "k"), ("ĺļľŀł", "l"), ("ñńņňŉ", "n"), ("òóôõöøōŏő", "o"),
        ("ŕŗř", "r"), ("śŝşš", "s"), ("ţťŧ", "t"), ("ùúûüũūŭůűų", "u"), ("ŵ", "w"), ("ýÿŷ", "y"), ("źżž", "z"),
        ("ß", "ss"), ("œ", "oe"), ("æ", "ae"),
    }.SelectMany(p => p.From.Select(c => (c, p.To))).ToDictionary(p => p.c, p => p.To);

    static readonly char[] Quotes = ['"', '\'', '\u201c', '\u201d', '\u201e', '«', '»'];

    /// <summary>Lower case, typographic apostrophes and hyphens made plain, spaces collapsed,
    /// surrounding quotes and trailing sentence punctuation dropped ("Cold." → "cold").</summary>
    public static string Key(string text)
    {
        var s = text.ToLowerInvariant()
            .Replace('\u2019', '\'').Replace('\u2018', '\'').Replace('\u02bc', '\'')
            .Replace('\u2010', '-').Replace('\u2011', '-');
        s = string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return s.TrimStart(Quotes).TrimEnd([.. Quotes, '.', ',', ';', ':', '!', '?']);
    }

    /// <summary>The key without accents and ligatures ("Straße" → "strasse", "été" → "ete"), for comparisons
    /// that failed exactly: models often drop accents.</summary>
    public static string Fold(string key)
    {
        var sb = new StringBuilder(key.Length);
        foreach (char c in key)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;   // combining accents
            if (Plain.TryGetValue(c, out var plain)) sb.Append(plain);
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>The key without one leading article ("le chien" → "chien"; "l'eau" → "eau"), unless that leaves nothing.</summary>
    public static string StripArticle(string key, string[] articles)
    {
        foreach (var a in articles)
        {
            var prefix = a.EndsWith('\'') ? a : a + " ";
            if (key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.Ordinal)) return key[prefix.Length..];
        }
        return key;
    }
}
