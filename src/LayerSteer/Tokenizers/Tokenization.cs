using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LayerSteer.Tokenizers;

/// <summary>A text's ids and each id's vocabulary string (its piece: "Ġcold", "▁the", "&lt;0x0A&gt;", "&lt;s&gt;").</summary>
public sealed record Tokenization(int[] Ids, string[] Pieces)
{
    public static Tokenization Of(ITokenizer tokenizer, string text, bool addSpecialTokens = true)
    {
        int[] ids = tokenizer.Encode(text, addSpecialTokens);
        return new Tokenization(ids, ids.Select(tokenizer.TokenText).ToArray());
    }

    /// <summary>One JSON line: {"ids": [...], "pieces": [...]}.</summary>
    public string ToJsonLine() => $"{{\"ids\": [{IdList(", ")}], \"pieces\": [{string.Join(", ", Pieces.Select(Quote))}]}}";

    /// <summary>Two lines: "ids: 1,2,3" (as --prompt-ids and --decode take them) and "pieces: " with each piece JSON-quoted.</summary>
    public string ToText() => $"ids: {IdList(",")}\npieces: {string.Join(" ", Pieces.Select(Quote))}";

    string IdList(string separator) => string.Join(separator, Ids.Select(i => i.ToString(CultureInfo.InvariantCulture)));

    /// <summary>A JSON string that shows a piece as written (Ġ, ▁, CJK, emoji), escaping only what JSON requires:
    /// System.Text.Json's encoders would write every emoji as \u escapes.</summary>
    public static string Quote(string piece)
    {
        var sb = new StringBuilder(piece.Length + 2).Append('"');
        foreach (char c in piece)
            sb.Append(c switch
            {
                '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        return sb.Append('"').ToString();
    }

    /// <summary>The "text" of each line of a JSONL file of {"text": ...} objects (blank lines skipped); a bad line is an
    /// error naming the file and line. A \u escape of half a surrogate pair is kept, so it encodes as U+FFFD, as in Hugging Face.</summary>
    public static IEnumerable<string> ReadJsonl(string path)
    {
        foreach (var (n, line) in Utf8Lines.Read(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException e) { throw LayerSteerException.InFile(path, $"line {n} is not valid JSON ({e.Message})"); }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                    throw LayerSteerException.InFile(path, $"line {n} is not an object with a string \"text\"");
                yield return StringWithLoneSurrogates(text);
            }
        }
    }

    // System.Text.Json refuses to read a lone-surrogate escape; undo the escapes of the raw token by hand instead.
    static string StringWithLoneSurrogates(JsonElement s)
    {
        try { return s.GetString()!; }
        catch (InvalidOperationException) { }
        string raw = s.GetRawText();
        var sb = new StringBuilder(raw.Length);
        for (int i = 1; i < raw.Length - 1; i++)
        {
            if (raw[i] != '\\') { sb.Append(raw[i]); continue; }
            char e = raw[++i];
            if (e == 'u') { sb.Append((char)int.Parse(raw.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)); i += 4; }
            else sb.Append(e switch { 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', _ => e });
        }
        return sb.ToString();
    }
}
