using System.Text.Json;
using static LayerSteer.Tokenizers.JsonFields;

namespace LayerSteer.Tokenizers;

/// <summary>Cuts one normalized piece of text into the words BPE sees separately.</summary>
public interface IPreTokenizer
{
    /// <summary>Appends the words of <paramref name="piece"/>; <paramref name="atStart"/> says it begins the original text.</summary>
    void PreTokenize(string piece, bool atStart, List<string> words);
}

/// <summary>What a Split does with the pattern's matches (the delimiters).</summary>
public enum SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous }

/// <summary>Splits on a pattern's matches (the Llama 3 / Qwen2 word regexes, or a literal).</summary>
public sealed class SplitPreTokenizer(TokenRegex pattern, SplitBehavior behavior, bool invert) : IPreTokenizer
{
    public void PreTokenize(string piece, bool atStart, List<string> words)
    {
        var matches = new List<(int Index, int Length)>();
        pattern.Matches(piece, matches);
        // Gaps between matches are content, matches are delimiters (the other way round when inverted).
        var segments = new List<(int Start, int End, bool Delimiter)>();
        int at = 0;
        foreach (var (index, length) in matches)
        {
            if (length == 0) continue;
            if (index > at) segments.Add((at, index, invert));
            segments.Add((index, index + length, !invert));
            at = index + length;
        }
        if (at < piece.Length) segments.Add((at, piece.Length, invert));

        var ranges = new List<(int Start, int End)>();
        bool open = false; // the last range may still absorb the next segment
        foreach (var (start, end, delimiter) in segments)
        {
            bool merge = behavior switch
            {
                SplitBehavior.MergedWithPrevious => delimiter && open,
                SplitBehavior.MergedWithNext => !delimiter && open,
                SplitBehavior.Contiguous => delimiter && open,
                _ => false,
            };
            if (behavior == SplitBehavior.Removed && delimiter) continue;
            if (merge) ranges[^1] = (ranges[^1].Start, end);
            else ranges.Add((start, end));
            open = behavior switch
            {
                SplitBehavior.MergedWithPrevious => !delimiter && !merge,
                SplitBehavior.MergedWithNext => delimiter,
                SplitBehavior.Contiguous => delimiter,
                _ => false,
            };
        }
        foreach (var (start, end) in ranges) words.Add(piece[start..end]);
    }
}

/// <summary>GPT-2 byte-level pre-tokenization: optional leading space, optional GPT-2 word regex, then bytes → vocabulary characters.</summary>
public sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : IPreTokenizer
{
    static readonly SplitPreTokenizer Gpt2Words = new(new TokenRegex(TokenRegex.Gpt2), SplitBehavior.Isolated, invert: false);

    public void PreTokenize(string piece, bool atStart, List<string> words)
    {
        if (addPrefixSpace && !piece.StartsWith(' ')) piece = " " + piece;
        if (!useRegex) { words.Add(ByteLevel.Encode(piece)); return; }
        int first = words.Count;
        Gpt2Words.PreTokenize(piece, atStart, words);
        for (int i = first; i < words.Count; i++) words[i] = ByteLevel.Encode(words[i]);
    }
}

/// <summary>Where Metaspace puts a replacement character in front of a piece.</summary>
public enum PrependScheme { Always, First, Never }

/// <summary>SentencePiece-style spaces: " " → "▁", a leading "▁", and (with split) one word per "▁".</summary>
public sealed class MetaspacePreTokenizer(string replacement, PrependScheme scheme, bool split) : IPreTokenizer
{
    readonly SplitPreTokenizer words = new(new TokenRegex(System.Text.RegularExpressions.Regex.Escape(replacement)), SplitBehavior.MergedWithNext, invert: false);

    public void PreTokenize(string piece, bool atStart, List<string> output)
    {
        string text = piece.Replace(" ", replacement);
        bool prepend = scheme == PrependScheme.Always || (scheme == PrependScheme.First && atStart);
        if (prepend && !text.StartsWith(replacement, StringComparison.Ordinal)) text = replacement + text;
        if (split) words.PreTokenize(text, atStart, output);
        else output.Add(text);
    }
}

/// <summary>Applies pre-tokenizers in order, each to every word of the previous one.</summary>
public sealed class SequencePreTokenizer(IReadOnlyList<IPreTokenizer> steps) : IPreTokenizer
{
    public void PreTokenize(string piece, bool atStart, List<string> words)
    {
        var current = new List<string> { piece };
        foreach (var step in steps)
        {
            var next = new List<string>(current.Count);
            for (int i = 0; i < current.Count; i++) step.PreTokenize(current[i], atStart && i == 0, next);
            current = next;
        }
        words.AddRange(current);
    }
}

/// <summary>Reads tokenizer.json "pre_tokenizer" objects.</summary>
public static class PreTokenizers
{
    const string Supported = "ByteLevel, Split, Metaspace, Sequence";

    public static IPreTokenizer? FromJson(JsonElement? json, string where, string path)
    {
        if (json is not { } j) return null;
        string type = Type(j, where, path);
        return type switch
        {
            "ByteLevel" => new ByteLevelPreTokenizer(Bool(j, "add_prefix_space", true, where, path), Bool(j, "use_regex", true, where, path)),
            "Split" => new SplitPreTokenizer(Pattern(j, where, path), Behavior(j, where, path), Bool(j, "invert", false, where, path)),
            "Metaspace" => new MetaspacePreTokenizer(Replacement(j, where, path), Scheme(j, where, path), Bool(j, "split", true, where, path)),
            "Sequence" => new SequencePreTokenizer(Steps(j, "pretokenizers", where, path, FromJson)),
            _ => throw Unsupported(path, "pre_tokenizer", type, Supported),
        };
    }

    static SplitBehavior Behavior(JsonElement j, string where, string path)
    {
        string name = Str(j, "behavior", where, path) ?? "Isolated";
        return Enum.TryParse(name, out SplitBehavior b) && !int.TryParse(name, out _) ? b
            : throw LayerSteerException.InFile(path, $"{where}.behavior \"{name}\" is not one of {string.Join(", ", Enum.GetNames<SplitBehavior>())}");
    }

    /// <summary>The Metaspace replacement string (usually "▁").</summary>
    internal static string Replacement(JsonElement j, string where, string path)
    {
        string r = Str(j, "replacement", where, path) ?? "▁";
        return r.Length > 0 ? r : throw LayerSteerException.InFile(path, $"{where}.replacement is empty");
    }

    /// <summary>prepend_scheme, or the older add_prefix_space flag.</summary>
    internal static PrependScheme Scheme(JsonElement j, string where, string path) => Str(j, "prepend_scheme", where, path) switch
    {
        null => Bool(j, "add_prefix_space", true, where, path) ? PrependScheme.Always : PrependScheme.Never,
        "always" => PrependScheme.Always,
        "first" => PrependScheme.First,
        "never" => PrependScheme.Never,
        var s => throw LayerSteerException.InFile(path, $"{where}.prepend_scheme \"{s}\" is not always, first or never"),
    };
}
