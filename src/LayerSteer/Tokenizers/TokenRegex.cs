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

    // A pattern from a file may backtrack catastrophically; this bounds each match (a built-in pattern has no limit).
    static readonly TimeSpan FileMatchTimeout = TimeSpan.FromSeconds(2);

    readonly Regex regex;
    readonly string? file;

    /// <param name="file">The tokenizer file the pattern comes from: its matches get a time limit, and running out names the file.</param>
    public TokenRegex(string pattern, string? file = null)
    {
        regex = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant, file is null ? Regex.InfiniteMatchTimeout : FileMatchTimeout);
        this.file = file;
    }

    /// <summary>Appends (index, length) of every match of the pattern in <paramref name="text"/>.</summary>
    public void Matches(string text, List<(int Index, int Length)> output)
    {
        try { MatchAll(text, output); }
        catch (RegexMatchTimeoutException)
        {
            throw LayerSteerException.InFile(file!, $"the pattern {regex} took over {FileMatchTimeout.TotalSeconds:F0} s on a {text.Length}-char text (catastrophic backtracking)");
        }
    }

    void MatchAll(string text, List<(int Index, int Length)> output)
    {
        if (text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            foreach (ValueMatch m in regex.EnumerateMatches(text)) output.Add((m.Index, m.Length));
            return;
        }
        // .NET matches UTF-16 chars, so \p{L} would miss e.g. CJK Extension B and a match could end inside a
        // surrogate pair. Match a copy with one BMP char of the same category per code point and map indices back.
        var proxy = new char[text.Length];
        var start = new int[text.Length + 1]; // start[k] = index in text of code point k
        int n = 0;
        for (int i = 0; i < text.Length; i++)
        {
            start[n] = i;
            bool pair = i + 1 < text.Length && char.IsSurrogatePair(text[i], text[i + 1]);
            proxy[n++] = pair ? CategoryChar[(int)CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[++i]))] : text[i];
        }
        start[n] = text.Length;
        foreach (ValueMatch m in regex.EnumerateMatches(proxy.AsSpan(0, n)))
            output.Add((start[m.Index], start[m.Index + m.Length] - start[m.Index]));
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

    // The first BMP character of each Unicode category (every category but Cs, which no code point past U+FFFF has).
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
