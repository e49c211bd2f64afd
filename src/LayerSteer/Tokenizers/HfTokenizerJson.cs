using System.Text.Json;
using static LayerSteer.Tokenizers.JsonFields;

namespace LayerSteer.Tokenizers;

/// <summary>Loads a Hugging Face tokenizer.json with a BPE model (byte-level like GPT-2/Llama 3/Qwen2, or SentencePiece-style like Llama 2/Gemma).</summary>
public static class HfTokenizerJson
{
    public const string FileName = "tokenizer.json";

    /// <summary>BOS/EOS come from a tokenizer_config.json beside the file; without a bos_token there, BOS is the template's first special token.</summary>
    public static BpeTokenizer Load(string path)
    {
        if (!File.Exists(path)) throw LayerSteerException.InFile(path, "file not found");
        using var doc = Parse(path);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw LayerSteerException.InFile(path, "must be a JSON object");

        var model = Model(Require(root, "model", "tokenizer.json", path), path);
        var added = Get(root, "added_tokens") is null ? [] : Array(root, "added_tokens", "tokenizer.json", path)
            .Select((t, i) => AddedToken.FromJson(t, BpeVocab.CheckId(Int(Require(t, "id", $"added_tokens[{i}]", path), $"added_tokens[{i}].id", path), $"added_tokens[{i}]", path), $"added_tokens[{i}]", path))
            .ToList();
        var post = PostProcessor.FromJson(Get(root, "post_processor"), "post_processor", path);

        var config = TokenizerConfig.LoadFrom(Path.GetDirectoryName(Path.GetFullPath(path))!);
        int? bos = BpeTokenizer.IdOf(config?.BosToken, model, added) ?? (post.Prefix.Length > 0 ? post.Prefix[0] : null);
        int? eos = BpeTokenizer.IdOf(config?.EosToken, model, added);

        return new BpeTokenizer(model, added,
            Normalizers.FromJson(Get(root, "normalizer"), "normalizer", path),
            PreTokenizers.FromJson(Get(root, "pre_tokenizer"), "pre_tokenizer", path),
            post,
            Decoders.FromJson(Get(root, "decoder"), "decoder", path),
            bos, eos);
    }

    static Bpe Model(JsonElement json, string path)
    {
        const string where = "model";
        var m = Object(json, where, path);
        string type = Str(m, "type", where, path) ?? (Get(m, "merges") is not null ? "BPE" : "(none)");
        if (type != "BPE") throw Unsupported(path, "model", type, "BPE");
        foreach (string affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (!string.IsNullOrEmpty(Str(m, affix, where, path))) throw LayerSteerException.InFile(path, $"model.{affix} is not supported");
        if (Get(m, "dropout") is { } d && !(d.ValueKind == JsonValueKind.Number && d.GetDouble() == 0))
            throw LayerSteerException.InFile(path, "model.dropout is not supported (it makes encoding random)");

        var vocab = BpeVocab.Read(Require(m, "vocab", where, path), "model.vocab", path);
        var merges = BpeVocab.Merges(Array(m, "merges", where, path).Select((e, i) => Merge(e, $"model.merges[{i}]", path)), vocab, path);
        int? unk = Str(m, "unk_token", where, path) is { } u
            ? vocab.TryGetValue(u, out int id) ? id : throw LayerSteerException.InFile(path, $"model.unk_token \"{u}\" is not in model.vocab")
            : null;
        return new Bpe(vocab, merges, unk,
            byteFallback: Bool(m, "byte_fallback", false, where, path),
            fuseUnk: Bool(m, "fuse_unk", false, where, path),
            ignoreMerges: Bool(m, "ignore_merges", false, where, path));
    }

    // Older files write a merge as "left right", newer ones as ["left", "right"].
    static (string, string, string) Merge(JsonElement e, string where, string path)
    {
        if (e.ValueKind == JsonValueKind.String) return BpeVocab.SplitMerge(Text(e, where, path), where, path);
        if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 2 && e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String))
            return (Text(e[0], where, path), Text(e[1], where, path), where);
        throw LayerSteerException.InFile(path, $"{where} must be \"left right\" or [\"left\", \"right\"]");
    }
}
