using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace LayerSteer.Judges;

/// <summary>A FreeDict dictionary in dictd format (Debian dict-freedict-*): the headword index in memory, entries
/// read from the .dict.dz on demand and cached as translation sets.</summary>
public sealed partial class FreeDict
{
    const string Base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";   // dictd's offsets and lengths

    readonly DictZip dict;
    readonly string[] articles;
    readonly Dictionary<string, (long Offset, int Length)[]> index = new();   // arrays: most headwords have one entry
    readonly ConcurrentDictionary<string, Translations?> cache = new();

    /// <summary>Translation keys of a headword; folded (accent-free) forms are the fallback.</summary>
    sealed record Translations(HashSet<string> Exact, HashSet<string> Folded);

    FreeDict(DictZip dict, string[] articles) => (this.dict, this.articles) = (dict, articles);

    /// <summary>Loads freedict-{name}.index and .dict.dz from a folder; articles are stripped from both sides ("le chien").</summary>
    public static FreeDict Load(string dir, string name, string[] articles)
    {
        string Required(string file)
        {
            var path = Path.Combine(dir, $"freedict-{name}.{file}");
            return File.Exists(path) ? path : throw LayerSteerException.InFile(path,
                $"not found (install the Debian package dict-freedict-{name}, or point $LAYERSTEER_FREEDICT / --freedict at a folder with freedict-{name}.index and .dict.dz)");
        }
        var indexPath = Required("index");
        var fd = new FreeDict(DictZip.Open(Required("dict.dz")), articles);
        int lineNo = 0;
        foreach (var line in File.ReadLines(indexPath))
        {
            lineNo++;
            var t = line.Split('\t');
            if (t.Length != 3 || Decode(t[1]) is not { } offset || Decode(t[2]) is not { } length || length > int.MaxValue)
                throw LayerSteerException.InFile(indexPath, $"line {lineNo} is not 'headword<TAB>offset<TAB>length'");
            var key = HeadwordKey(t[0]);
            fd.index[key] = fd.index.TryGetValue(key, out var entries) ? [.. entries, (offset, (int)length)] : [(offset, (int)length)];
        }
        return fd;
    }

    /// <summary>Accept when the prediction is one of the input's translations (exactly, else ignoring accents);
    /// unknown when the dictionary has no such headword.</summary>
    public Verdict Judge(string input, string prediction)
    {
        if (cache.GetOrAdd(HeadwordKey(Words.Key(input)), Lookup) is not { } t) return Verdict.Unknown;
        var p = Words.StripArticle(Words.Key(prediction), articles);
        return t.Exact.Contains(p) || t.Folded.Contains(Words.Fold(p)) ? Verdict.Accept : Verdict.Reject;
    }

    Translations? Lookup(string headword)
    {
        if (!index.TryGetValue(headword, out var entries)) return null;
        var exact = new HashSet<string>();
        foreach (var (offset, length) in entries)
            foreach (var item in Items(Encoding.UTF8.GetString(dict.Read(offset, length))))
                if (Words.StripArticle(Words.Key(item), articles) is { Length: > 0 } key) exact.Add(key);
        return new Translations(exact, exact.Select(Words.Fold).ToHashSet());
    }

    // An entry is "headword /pron/", then translation lines — unindented, or " [Am.] ..." — holding comma-separated
    // items like "Hund <masc> [zool.]"; indented lines are examples, notes, synonyms and "see:" references.
    // An item ends at its first <grammar> tag (what follows is an abbreviation); [labels] go; "(sich) freuen"
    // yields both "freuen" and "sich freuen".
    static IEnumerable<string> Items(string entry)
    {
        foreach (var line in entry.Split('\n').Skip(1))
        {
            if (line.Length == 0 || line[0] == ' ' && !line.StartsWith(" [", StringComparison.Ordinal)) continue;
            foreach (var item in SplitTopLevel(Numbering().Replace(line, "")))
            {
                var text = Label().Replace(item.Split('<')[0], " ");
                yield return Parenthesis().Replace(text, " ");
                if (text.Contains('(')) yield return text.Replace("(", "").Replace(")", "");
            }
        }
    }

    // Splits at ',' and ';' outside (), [] and <> ("<v, trans>" stays whole).
    static IEnumerable<string> SplitTopLevel(string line)
    {
        int depth = 0, start = 0;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c is '(' or '[' or '<') depth++;
            else if (c is ')' or ']' or '>') depth = Math.Max(0, depth - 1);
            else if (c is ',' or ';' && depth == 0) { yield return line[start..i]; start = i + 1; }
        }
        yield return line[start..];
    }

    // dictfmt's index keys: lower case, letters, digits and single spaces only ("well-known" → "wellknown").
    static string HeadwordKey(string word)
    {
        var sb = new StringBuilder(word.Length);
        foreach (char c in word)
            if (char.IsLetterOrDigit(c)) sb.Append(char.ToLowerInvariant(c));
            else if (char.IsWhiteSpace(c) && sb.Length > 0 && sb[^1] != ' ') sb.Append(' ');
        return sb.ToString().TrimEnd();
    }

    static long? Decode(string digits)
    {
        long v = 0;
        foreach (char c in digits)
        {
            int d = Base64.IndexOf(c);
            if (d < 0 || v > long.MaxValue >> 6) return null;
            v = v * 64 + d;
        }
        return digits.Length > 0 ? v : null;
    }

    [GeneratedRegex(@"^\s*\d+\.\s")] private static partial Regex Numbering();
    [GeneratedRegex(@"\[[^\]]*\]")] private static partial Regex Label();
    [GeneratedRegex(@"\([^)]*\)")] private static partial Regex Parenthesis();
}
