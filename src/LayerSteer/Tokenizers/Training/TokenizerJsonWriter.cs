using System.Text.Json;
using System.Text.Json.Nodes;
using LayerSteer.Formats;

namespace LayerSteer.Tokenizers.Training;

/// <summary>Writes a trained byte-level BPE as a Hugging Face tokenizer.json (GPT-2 ByteLevel pre-tokenizer and decoder,
/// a TemplateProcessing post-processor that puts the first special token, the BOS, before every text) and the
/// tokenizer_config.json transformers reads beside it.</summary>
public static class TokenizerJsonWriter
{
    public static void Write(string dir, TrainedBpe bpe, int modelMaxLength, string chatTemplate)
    {
        string bos = bpe.Specials[0];
        var vocab = new JsonObject();
        var all = bpe.Vocab;
        for (int i = 0; i < all.Count; i++) vocab[all[i]] = i;
        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };
        JsonObject Special(string s) => new() { ["SpecialToken"] = new JsonObject { ["id"] = s, ["type_id"] = 0 } };
        JsonObject Seq(string s, int type) => new() { ["Sequence"] = new JsonObject { ["id"] = s, ["type_id"] = type } };
        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(bpe.Specials.Select((s, i) => (JsonNode)new JsonObject
            {
                ["id"] = i, ["content"] = s, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true,
            }).ToArray()),
            ["normalizer"] = null,
            ["pre_tokenizer"] = byteLevel.DeepClone(),
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(Special(bos), Seq("A", 0)),
                ["pair"] = new JsonArray(Special(bos), Seq("A", 0), Seq("B", 1)),
                ["special_tokens"] = new JsonObject { [bos] = new JsonObject { ["id"] = bos, ["ids"] = new JsonArray(0), ["tokens"] = new JsonArray(bos) } },
            },
            ["decoder"] = byteLevel.DeepClone(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false, ["byte_fallback"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(bpe.Merges.Select(m => (JsonNode)$"{m.Left} {m.Right}").ToArray()),   // "left right": every tokenizers version reads it
            },
        };
        var opts = new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        AtomicFile.WriteText(Path.Combine(dir, HfTokenizerJson.FileName), json.ToJsonString(opts));
        var config = new JsonObject
        {
            ["bos_token"] = bos, ["eos_token"] = bos, ["add_bos_token"] = true, ["add_eos_token"] = false,
            ["model_max_length"] = modelMaxLength, ["tokenizer_class"] = "PreTrainedTokenizerFast", ["clean_up_tokenization_spaces"] = false,
            ["chat_template"] = chatTemplate,
        };
        AtomicFile.WriteText(Path.Combine(dir, TokenizerConfig.FileName), config.ToJsonString(opts));
    }
}
