using System.Text.Json;
using static LayerSteer.Tokenizers.JsonFields;

namespace LayerSteer.Tokenizers;

/// <summary>What LayerSteer reads from a transformers tokenizer_config.json: the class, special tokens, and whether BOS/EOS are added.</summary>
public sealed record TokenizerConfig
{
    public const string FileName = "tokenizer_config.json";

    public string? TokenizerClass { get; init; }
    public string? BosToken { get; init; }
    public string? EosToken { get; init; }
    public string? UnkToken { get; init; }
    public string? PadToken { get; init; }
    public bool AddBosToken { get; init; }
    public bool AddEosToken { get; init; }
    public bool AddPrefixSpace { get; init; }
    /// <summary>"added_tokens_decoder": id → token (Qwen2's &lt;|endoftext|&gt;, &lt;|im_start|&gt;, ...).</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; init; } = [];

    /// <summary>The tokenizer_config.json in <paramref name="dir"/>, or null when there is none.</summary>
    public static TokenizerConfig? LoadFrom(string dir)
    {
        string path = Path.Combine(dir, FileName);
        return File.Exists(path) ? Load(path) : null;
    }

    public static TokenizerConfig Load(string path)
    {
        using var doc = Parse(path);
        var j = doc.RootElement;
        if (j.ValueKind != JsonValueKind.Object) throw LayerSteerException.InFile(path, "must be a JSON object");
        return new TokenizerConfig
        {
            TokenizerClass = Str(j, "tokenizer_class", "config", path),
            BosToken = TokenName(j, "bos_token", path),
            EosToken = TokenName(j, "eos_token", path),
            UnkToken = TokenName(j, "unk_token", path),
            PadToken = TokenName(j, "pad_token", path),
            AddBosToken = Bool(j, "add_bos_token", false, "config", path),
            AddEosToken = Bool(j, "add_eos_token", false, "config", path),
            AddPrefixSpace = Bool(j, "add_prefix_space", false, "config", path),
            AddedTokens = AddedTokensDecoder(j, path),
        };
    }

    // A special token is written either as its string or as {"content": ..., "__type": "AddedToken"}.
    static string? TokenName(JsonElement j, string name, string path) => Get(j, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } s => Text(s, name, path),
        { ValueKind: JsonValueKind.Object } o => Str(o, "content", name, path) ?? throw LayerSteerException.InFile(path, $"{name} has no \"content\""),
        _ => throw LayerSteerException.InFile(path, $"{name} must be a string or an object with \"content\""),
    };

    static List<AddedToken> AddedTokensDecoder(JsonElement j, string path)
    {
        if (Get(j, "added_tokens_decoder") is not { } d) return [];
        if (d.ValueKind != JsonValueKind.Object) throw LayerSteerException.InFile(path, "added_tokens_decoder must be an object");
        var tokens = new List<AddedToken>();
        foreach (var p in d.EnumerateObject())
        {
            string key = Name(p, "added_tokens_decoder", path), where = $"added_tokens_decoder[\"{key}\"]";
            if (!int.TryParse(key, out int id)) throw LayerSteerException.InFile(path, $"{where}: the key must be a token id");
            tokens.Add(AddedToken.FromJson(p.Value, BpeVocab.CheckId(id, where, path), where, path));
        }
        return tokens;
    }
}
