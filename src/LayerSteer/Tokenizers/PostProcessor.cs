using System.Text.Json;
using static LayerSteer.Tokenizers.JsonFields;

namespace LayerSteer.Tokenizers;

/// <summary>The special token ids put around an encoded text when special tokens are wanted (e.g. BOS in front).</summary>
public sealed record PostProcessor(int[] Prefix, int[] Suffix)
{
    public static readonly PostProcessor None = new([], []);

    /// <summary>Reads a tokenizer.json "post_processor" (TemplateProcessing, ByteLevel, Sequence or null).</summary>
    public static PostProcessor FromJson(JsonElement? json, string where, string path)
    {
        if (json is not { } j) return None;
        string type = Type(j, where, path);
        switch (type)
        {
            case "ByteLevel": return None; // only adjusts offsets
            case "TemplateProcessing": return Template(j, where, path);
            case "Sequence":
                // Each processor wraps what the previous one produced.
                var result = None;
                int i = 0;
                foreach (var p in Array(j, "processors", where, path))
                {
                    var next = FromJson(p, $"{where}.processors[{i++}]", path);
                    result = new PostProcessor([.. next.Prefix, .. result.Prefix], [.. result.Suffix, .. next.Suffix]);
                }
                return result;
            default: throw Unsupported(path, "post_processor", type, "TemplateProcessing, ByteLevel, Sequence");
        }
    }

    // "single": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}], ids looked up in "special_tokens".
    static PostProcessor Template(JsonElement j, string where, string path)
    {
        var special = Require(j, "special_tokens", where, path);
        List<int> prefix = [], suffix = [];
        bool seenText = false;
        int i = 0;
        foreach (var item in Array(j, "single", where, path))
        {
            string at = $"{where}.single[{i++}]";
            if (Get(item, "Sequence") is not null) { seenText = true; continue; }
            var token = Get(item, "SpecialToken") ?? throw LayerSteerException.InFile(path, $"{at} is neither a SpecialToken nor a Sequence");
            string name = Str(token, "id", at, path) ?? throw LayerSteerException.InFile(path, $"{at}.SpecialToken has no \"id\"");
            var entry = Get(special, name) ?? throw LayerSteerException.InFile(path, $"{at} names \"{name}\", which {where}.special_tokens does not define");
            string entryAt = $"{where}.special_tokens[\"{name}\"]";
            var ids = Array(entry, "ids", entryAt, path).Select(e => BpeVocab.CheckId(Int(e, entryAt + ".ids", path), entryAt + ".ids", path));
            (seenText ? suffix : prefix).AddRange(ids);
        }
        return new PostProcessor([.. prefix], [.. suffix]);
    }
}
