using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LayerSteer.Tokenizers;

/// <summary>A pre-tokenizer regex that classifies code points like the Rust/Oniguruma engines do, not UTF-16 halves.</summary>
public sealed class TokenRegex
{
    /// <summary>GPT-2's (and byte-level pre-tokenizers' default) word pattern.</summary>
    public const string Gpt2 = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
    /// <summary>Qwen2's word pattern (single digits, newlines kept with punctuation).</summary>
    public const string Qwen2 = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    readonly Regex regex;

    public TokenRegex(string pattern) => regex = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>Appends (index, length) of every match of the pattern in <paramref name="text"/>.</summary>
    public void Matches(string text, List<(int Index, int Length)> output)
    {
        foreach (ValueMatch m in regex.EnumerateMatches(WithBmpCategories(text)))
            output.Add((m.Index, m.Length));
    }

    /// <summary><paramref name="text"/> with every match replaced by <paramref name="content"/>.</summary>
    public string Replace(string text, string content)
    {
        var matches = new List<(int Index, int Length)>();
        Matches(text, matches);
        if (matches.Count == 0) return text;
        var sb = new StringBuilder(text.Length);
        int at = 0;
        foreach (var (index, length) in matches)
        {
            sb.Append(text, at, index - at).Append(content);
            at = index + length;
        }
        return sb.Append(text, at, text.Length - at).ToString();
    }

    // .NET sees a surrogate pair as two "Cs" chars, so \p{L} misses e.g. CJK Extension B. Matching a same-length
    // copy where both halves become a BMP char of the pair's category keeps indices valid and classes right
    // (only counted quantifiers like \p{N}{1,3} still count such a code point twice).
    static string WithBmpCategories(string text)
    {
        int first = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDBFF');
        if (first < 0) return text;
        return string.Create(text.Length, text, (dst, src) =>
        {
            src.AsSpan().CopyTo(dst);
            for (int i = 0; i + 1 < src.Length; i++)
            {
                if (!char.IsSurrogatePair(src[i], src[i + 1])) continue;
                char proxy = CategoryChar[(int)CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(src[i], src[i + 1]))];
                if (proxy != '\0') dst[i] = dst[i + 1] = proxy;
                i++;
            }
        });
    }

    // The first BMP character of each Unicode category ('\0' for categories only surrogates have).
    static readonly char[] CategoryChar = BuildCategoryChars();

    static char[] BuildCategoryChars()
    {
        var table = new char[32];
        for (int c = 0xFFFF; c >= 1; c--)
        {
            if (c is >= 0xD800 and <= 0xDFFF) continue;
            table[(int)CharUnicodeInfo.GetUnicodeCategory((char)c)] = (char)c;
        }
        return table;
    }
}
