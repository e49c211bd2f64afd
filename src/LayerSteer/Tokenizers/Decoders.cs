using System.Globalization;
using System.Text;
using System.Text.Json;
using static LayerSteer.Tokenizers.JsonFields;

namespace LayerSteer.Tokenizers;

/// <summary>One step of turning vocabulary strings back into text; steps pass a list of strings along.</summary>
public interface IDecoder
{
    List<string> Decode(List<string> tokens);
}

/// <summary>Byte-level: every token's characters back to bytes, all read as one UTF-8 text (each maximal invalid
/// sequence becomes one U+FFFD, as Rust's from_utf8_lossy does).</summary>
public sealed record ByteLevelDecoder : IDecoder
{
    public List<string> Decode(List<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (string t in tokens) ByteLevel.AppendBytes(t, bytes);
        return [Encoding.UTF8.GetString(bytes.ToArray())];
    }
}

/// <summary>"▁" back to spaces, dropping the one the pre-tokenizer put in front of the first token.</summary>
public sealed record MetaspaceDecoder(string Replacement, PrependScheme Scheme) : IDecoder
{
    public List<string> Decode(List<string> tokens)
    {
        var output = new List<string>(tokens.Count);
        for (int i = 0; i < tokens.Count; i++)
        {
            string t = tokens[i];
            if (i == 0 && Scheme != PrependScheme.Never && t.StartsWith(Replacement, StringComparison.Ordinal)) t = t[Replacement.Length..];
            output.Add(t.Replace(Replacement, " "));
        }
        return output;
    }
}

/// <summary>Replaces a pattern in every token (e.g. "▁" → " ").</summary>
public sealed record ReplaceDecoder(TokenRegex Pattern, string Content) : IDecoder
{
    public List<string> Decode(List<string> tokens) => tokens.Select(t => Pattern.Replace(t, Content)).ToList();
}

/// <summary>Runs of "&lt;0xNN&gt;" tokens become the UTF-8 text of their bytes (one U+FFFD per byte when not valid UTF-8).</summary>
public sealed record ByteFallbackDecoder : IDecoder
{
    public List<string> Decode(List<string> tokens)
    {
        var output = new List<string>(tokens.Count);
        var bytes = new List<byte>();
        foreach (string t in tokens)
        {
            if (ByteToken(t) is byte b) { bytes.Add(b); continue; }
            Flush(bytes, output);
            output.Add(t);
        }
        Flush(bytes, output);
        return output;
    }

    /// <summary>The byte of a "&lt;0xNN&gt;" token, else null.</summary>
    public static byte? ByteToken(string t) =>
        t.Length == 6 && t.StartsWith("<0x", StringComparison.Ordinal) && t[5] == '>'
        && byte.TryParse(t.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b) ? b : null;

    static void Flush(List<byte> bytes, List<string> output)
    {
        if (bytes.Count == 0) return;
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);
        output.Add(System.Text.Unicode.Utf8.IsValid(span) ? Encoding.UTF8.GetString(span) : new string('\uFFFD', bytes.Count));
        bytes.Clear();
    }
}

/// <summary>Joins all tokens into one string.</summary>
public sealed record FuseDecoder : IDecoder
{
    public List<string> Decode(List<string> tokens) => [string.Concat(tokens)];
}

/// <summary>Removes up to <see cref="Start"/> leading and <see cref="Stop"/> trailing copies of a character from every token.</summary>
public sealed record StripDecoder(char Content, int Start, int Stop) : IDecoder
{
    public List<string> Decode(List<string> tokens) => tokens.Select(t =>
    {
        int from = 0, to = t.Length;
        while (from < Start && from < to && t[from] == Content) from++;
        while (t.Length - to < Stop && to > from && t[to - 1] == Content) to--;
        return t[from..to];
    }).ToList();
}

/// <summary>Applies decoders in order.</summary>
public sealed record SequenceDecoder(IReadOnlyList<IDecoder> Steps) : IDecoder
{
    public List<string> Decode(List<string> tokens)
    {
        foreach (var step in Steps) tokens = step.Decode(tokens);
        return tokens;
    }
}

/// <summary>Reads tokenizer.json "decoder" objects.</summary>
public static class Decoders
{
    const string Supported = "ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, Sequence";

    public static IDecoder? FromJson(JsonElement? json, string where, string path)
    {
        if (json is not { } j) return null;
        string type = Type(j, where, path);
        return type switch
        {
            "ByteLevel" => new ByteLevelDecoder(),
            "Metaspace" => new MetaspaceDecoder(PreTokenizers.Replacement(j, where, path), PreTokenizers.Scheme(j, where, path)),
            "Replace" => new ReplaceDecoder(Pattern(j, where, path), Str(j, "content", where, path) ?? ""),
            "ByteFallback" => new ByteFallbackDecoder(),
            "Fuse" => new FuseDecoder(),
            "Strip" => Strip(j, where, path),
            "Sequence" => new SequenceDecoder(Steps(j, "decoders", where, path, FromJson)),
            _ => throw Unsupported(path, "decoder", type, Supported),
        };
    }

    static StripDecoder Strip(JsonElement j, string where, string path)
    {
        string content = Str(j, "content", where, path) ?? " ";
        if (content.Length != 1) throw LayerSteerException.InFile(path, $"{where}.content must be one character");
        int start = Get(j, "start") is { } s ? Int(s, where + ".start", path) : 0;
        int stop = Get(j, "stop") is { } e ? Int(e, where + ".stop", path) : 0;
        if (start < 0 || stop < 0) throw LayerSteerException.InFile(path, $"{where}.start and .stop must not be negative");
        return new StripDecoder(content[0], start, stop);
    }
}
