using System.Text;
using System.Text.Json;
using static LayerSteer.Tokenizers.JsonFields;

namespace LayerSteer.Tokenizers;

/// <summary>A text rewrite applied to each piece between added tokens before pre-tokenization.</summary>
public interface INormalizer
{
    string Normalize(string text);
}

/// <summary>Unicode normalization (NFC, NFD, NFKC, NFKD) of text without lone surrogates (<see cref="UnicodeText.Sanitize"/>).
/// Under .NET's invariant-globalization mode this is the identity.</summary>
public sealed record UnicodeNormalizer(NormalizationForm Form) : INormalizer
{
    // .NET rejects U+FFFE. Being a starter that composes with nothing, it splits the text into parts that normalize alone.
    const char Rejected = '\uFFFE';

    public string Normalize(string text) =>
        text.Contains(Rejected) ? string.Join(Rejected, text.Split(Rejected).Select(NormalizePart)) : NormalizePart(text);

    string NormalizePart(string text) => text.IsNormalized(Form) ? text : text.Normalize(Form);
}

/// <summary>Lowercases the text.</summary>
public sealed record LowercaseNormalizer : INormalizer
{
    public string Normalize(string text) => text.ToLowerInvariant();
}

/// <summary>Puts a prefix (SentencePiece's "▁") in front of every non-empty piece.</summary>
public sealed record PrependNormalizer(string Prefix) : INormalizer
{
    public string Normalize(string text) => text.Length == 0 ? text : Prefix + text;
}

/// <summary>Replaces every match of a pattern (e.g. " " → "▁").</summary>
public sealed record ReplaceNormalizer(TokenRegex Pattern, string Content) : INormalizer
{
    public string Normalize(string text) => Pattern.Replace(text, Content);
}

/// <summary>Applies normalizers in order.</summary>
public sealed record SequenceNormalizer(IReadOnlyList<INormalizer> Steps) : INormalizer
{
    public string Normalize(string text)
    {
        foreach (var step in Steps) text = step.Normalize(text);
        return text;
    }
}

/// <summary>Reads tokenizer.json "normalizer" objects.</summary>
public static class Normalizers
{
    const string Supported = "NFC, NFD, NFKC, NFKD, Lowercase, Prepend, Replace, Sequence";

    public static INormalizer? FromJson(JsonElement? json, string where, string path)
    {
        if (json is not { } j) return null;
        string type = Type(j, where, path);
        return type switch
        {
            "NFC" => new UnicodeNormalizer(NormalizationForm.FormC),
            "NFD" => new UnicodeNormalizer(NormalizationForm.FormD),
            "NFKC" => new UnicodeNormalizer(NormalizationForm.FormKC),
            "NFKD" => new UnicodeNormalizer(NormalizationForm.FormKD),
            "Lowercase" => new LowercaseNormalizer(),
            "Prepend" => new PrependNormalizer(Str(j, "prepend", where, path) ?? throw LayerSteerException.InFile(path, $"{where} has no \"prepend\"")),
            "Replace" => new ReplaceNormalizer(Pattern(j, where, path), Str(j, "content", where, path) ?? ""),
            "Sequence" => new SequenceNormalizer(Steps(j, "normalizers", where, path, FromJson)),
            _ => throw Unsupported(path, "normalizer", type, Supported),
        };
    }
}
