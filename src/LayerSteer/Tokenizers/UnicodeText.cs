namespace LayerSteer.Tokenizers;

/// <summary>Text as Hugging Face tokenizers sees it: a Rust String cannot hold a lone surrogate, so the binding's
/// conversion turns each into U+FFFD (non-characters such as U+FFFE stay).</summary>
public static class UnicodeText
{
    /// <summary><paramref name="text"/> with every unpaired UTF-16 surrogate replaced by U+FFFD; the same string when there is none.</summary>
    public static string Sanitize(string text)
    {
        int first = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0 || IsValidFrom(text, first)) return text;
        return string.Create(text.Length, text, (dst, src) =>
        {
            for (int i = 0; i < src.Length; i++)
            {
                char c = src[i];
                if (char.IsHighSurrogate(c) && i + 1 < src.Length && char.IsLowSurrogate(src[i + 1])) { dst[i] = c; dst[++i] = src[i]; }
                else dst[i] = char.IsSurrogate(c) ? '\uFFFD' : c;
            }
        });
    }

    // Surrogates from `from` on all come in pairs (the common case: text with emoji).
    static bool IsValidFrom(string text, int from)
    {
        for (int i = from; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (!char.IsHighSurrogate(text[i]) || i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])) return false;
            i++;
        }
        return true;
    }
}
