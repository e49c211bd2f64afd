using System.Text.RegularExpressions;

namespace LayerSteer.Hub;

/// <summary>Which repository files a model needs: config, generation config, tokenizer, safetensors weights, plus user globs.</summary>
public static class HubFileSelection
{
    public static readonly string[] DefaultNames =
    [
        "config.json", "generation_config.json", "model.safetensors.index.json",
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt", "tokenizer.model",
    ];

    /// <summary>True for a default file at the repository root, or a name matching one of <paramref name="includePatterns"/> (fnmatch-style * and ?).</summary>
    public static bool Wanted(string name, IReadOnlyList<string>? includePatterns = null) =>
        DefaultNames.Contains(name) || (!name.Contains('/') && name.EndsWith(".safetensors", StringComparison.Ordinal))
        || (includePatterns ?? []).Any(p => Glob(p).IsMatch(name));

    static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.CultureInvariant);
}
