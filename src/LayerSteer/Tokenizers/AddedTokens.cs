using System.Buffers;
using System.Text.Json;

namespace LayerSteer.Tokenizers;

/// <summary>A token found in raw text before anything else and never split (special tokens, chat markers).</summary>
/// <param name="LStrip">Also swallows the whitespace before it.</param>
/// <param name="RStrip">Also swallows the whitespace after it.</param>
/// <param name="SingleWord">Only matches when not inside a word.</param>
public sealed record AddedToken(int Id, string Content, bool Special, bool LStrip = false, bool RStrip = false, bool SingleWord = false)
{
    /// <summary>Reads {"content", "special", "lstrip", "rstrip", "single_word"} (tokenizer.json and tokenizer_config.json share it).</summary>
    internal static AddedToken FromJson(JsonElement json, int id, string where, string path)
    {
        var t = JsonFields.Object(json, where, path);
        return new(id,
            JsonFields.Str(t, "content", where, path) ?? throw LayerSteerException.InFile(path, $"{where} has no \"content\""),
            JsonFields.Bool(t, "special", false, where, path),
            JsonFields.Bool(t, "lstrip", false, where, path),
            JsonFields.Bool(t, "rstrip", false, where, path),
            JsonFields.Bool(t, "single_word", false, where, path));
    }
}

/// <summary>Cuts text around its added tokens, leftmost match first and the longest at a position.</summary>
internal sealed class AddedVocabulary
{
    /// <summary>A stretch of text: an added token when <see cref="Token"/> is set, else plain text for the model.</summary>
    public readonly record struct Segment(int Start, int Length, AddedToken? Token);

    public IReadOnlyList<AddedToken> Tokens { get; }
    readonly Dictionary<char, AddedToken[]> byFirstChar;
    readonly SearchValues<char> firstChars;

    public AddedVocabulary(IEnumerable<AddedToken> tokens)
    {
        Tokens = tokens.Where(t => t.Content.Length > 0).ToList();
        byFirstChar = Tokens.GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
        firstChars = SearchValues.Create(byFirstChar.Keys.ToArray());
    }

    public List<Segment> Split(string text)
    {
        var segments = new List<Segment>();
        int done = 0, from = 0;
        while (from < text.Length)
        {
            int rel = text.AsSpan(from).IndexOfAny(firstChars);
            if (rel < 0) break;
            int p = from + rel;
            if (MatchAt(text, p) is not { } token) { from = p + 1; continue; }
            int start = p, end = p + token.Content.Length;
            if (token.LStrip) while (start > done && char.IsWhiteSpace(text[start - 1])) start--;
            if (token.RStrip) while (end < text.Length && char.IsWhiteSpace(text[end])) end++;
            if (start > done) segments.Add(new Segment(done, start - done, null));
            segments.Add(new Segment(start, end - start, token));
            done = from = end;
        }
        if (done < text.Length) segments.Add(new Segment(done, text.Length - done, null));
        return segments;
    }

    AddedToken? MatchAt(string text, int p)
    {
        foreach (var t in byFirstChar[text[p]])
        {
            if (!text.AsSpan(p).StartsWith(t.Content, StringComparison.Ordinal)) continue;
            if (t.SingleWord && (IsWordChar(text, p - 1) || IsWordChar(text, p + t.Content.Length))) continue;
            return t;
        }
        return null;
    }

    static bool IsWordChar(string text, int i) => i >= 0 && i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_');
}
