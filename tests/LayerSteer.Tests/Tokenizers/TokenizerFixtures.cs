using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Tokenizers;

/// <summary>Small hand-made tokenizers written to scratch folders, and the text samples every kind must round-trip.</summary>
internal static class TokenizerFixtures
{
    /// <summary>Emoji, CJK, combining marks (already in NFC), control characters, runs of spaces, newlines.</summary>
    public static readonly string[] Samples =
    [
        "",
        "hello",
        "Hello, world! It's 2024.",
        "a  b   c    d",
        "  leading and trailing  ",
        "line one\nline two\r\n\n\ttabbed",
        "emoji 😀👍🏽 family 👨‍👩‍👧 flag 🇫🇷",
        "中文字符和日本語のテキスト 한국어",
        "x\u0301 q\u0323\u0307 क्षि",
        "ctrl \0\u0001\u0007\u001b\u007f\u0085 nbsp\u00a0thin\u2009",
        "𠀀𝐀𝟎 astral letters and digits",
        "'s 're 'll I'd YOU'VE",
        "1234567 3.14159 -42",
    ];

    /// <summary>GPT-2's bytes_to_unicode, written out independently of the code under test: the vocabulary character of each byte.</summary>
    public static string[] ByteChars()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range(0xA1, 12)).Concat(Enumerable.Range(0xAE, 82)).ToList();
        var chars = new string[256];
        foreach (int b in printable) chars[b] = ((char)b).ToString();
        int n = 0;
        for (int b = 0; b < 256; b++) if (!printable.Contains(b)) chars[b] = ((char)(256 + n++)).ToString();
        return chars;
    }

    /// <summary>The byte-level vocabulary and merges of transformers' Qwen2 tokenizer test: the 256 byte characters
    /// (printable bytes first, as bytes_to_unicode lists them) then 14 words; ids 256..269.</summary>
    public static (JsonObject Vocab, string[] Merges) Gpt2Vocab()
    {
        var chars = ByteChars();
        var order = Enumerable.Range(0, 256).Where(b => chars[b][0] < 256).Concat(Enumerable.Range(0, 256).Where(b => chars[b][0] >= 256));
        var tokens = order.Select(b => chars[b]).Concat(
            ["Ġl", "Ġn", "Ġlo", "Ġlow", "er", "Ġlowest", "Ġnewer", "Ġwider", "01", ";}", ";}Ċ", "Ïĵ", "Ġ#", "##"]).ToList();
        var vocab = new JsonObject();
        for (int i = 0; i < tokens.Count; i++) vocab[tokens[i]] = i;
        return (vocab, ["Ġ l", "Ġl o", "Ġlo w", "e r", "0 1", "; }", ";} Ċ", "Ï ĵ", "Ġ #", "# #"]);
    }

    /// <summary>A vocab.json + merges.txt + tokenizer_config.json folder.</summary>
    public static void WriteVocabMerges(string dir, JsonObject vocab, string[] merges, JsonObject? config)
    {
        File.WriteAllText(Path.Combine(dir, "vocab.json"), vocab.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\n" + string.Join("\n", merges) + "\n");
        if (config is not null) File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), config.ToJsonString());
    }

    /// <summary>A Llama 2-style tokenizer.json: &lt;unk&gt; &lt;s&gt; &lt;/s&gt;, 256 byte tokens (ids 3..258), then
    /// ▁ t h e c a s é ! (259..267) and the merges ▁t he ▁the ▁c at ▁cat ▁▁ (268..274).</summary>
    public static JsonObject SentencePieceJson()
    {
        var vocab = new JsonObject { ["<unk>"] = 0, ["<s>"] = 1, ["</s>"] = 2 };
        for (int b = 0; b < 256; b++) vocab[$"<0x{b:X2}>"] = 3 + b;
        string[] pieces = ["▁", "t", "h", "e", "c", "a", "s", "é", "!", "▁t", "he", "▁the", "▁c", "at", "▁cat", "▁▁"];
        for (int i = 0; i < pieces.Length; i++) vocab[pieces[i]] = 259 + i;
        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(
                Added(0, "<unk>"), Added(1, "<s>"), Added(2, "</s>")),
            ["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Prepend", ["prepend"] = "▁" },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "▁" }),
            },
            ["pre_tokenizer"] = null,
            ["post_processor"] = Template("<s>", 1),
            ["decoder"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["decoders"] = new JsonArray(
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = "▁" }, ["content"] = " " },
                    new JsonObject { ["type"] = "ByteFallback" },
                    new JsonObject { ["type"] = "Fuse" },
                    new JsonObject { ["type"] = "Strip", ["content"] = " ", ["start"] = 1, ["stop"] = 0 }),
            },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = "<unk>", ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null, ["fuse_unk"] = true, ["byte_fallback"] = true, ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray("▁ t", "h e", "▁t he", "▁ c", "a t", "▁c at", "▁ ▁"),
            },
        };
    }

    public static JsonObject Added(int id, string content, bool special = true) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
        ["normalized"] = false, ["special"] = special,
    };

    /// <summary>TemplateProcessing that puts one special token before the text.</summary>
    public static JsonObject Template(string token, int id) => new()
    {
        ["type"] = "TemplateProcessing",
        ["single"] = new JsonArray(
            new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = token, ["type_id"] = 0 } },
            new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
        ["pair"] = new JsonArray(),
        ["special_tokens"] = new JsonObject { [token] = new JsonObject { ["id"] = token, ["ids"] = new JsonArray(id), ["tokens"] = new JsonArray(token) } },
    };

    public static string Write(TempDir dir, JsonNode json, string name = "tokenizer.json")
    {
        string path = dir.File(name);
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    /// <summary>A llama2.c tokenizer.bin: &lt;unk&gt; &lt;s&gt; &lt;/s&gt;, 256 byte tokens, then <paramref name="pieces"/> with their scores.</summary>
    public static byte[] Llama2cBin(params (string Piece, float Score)[] pieces)
    {
        var all = new List<(string, float)> { ("<unk>", 0), ("\n<s>\n", 0), ("\n</s>\n", 0) };
        for (int b = 0; b < 256; b++) all.Add(($"<0x{b:X2}>", 0));
        all.AddRange(pieces);
        var bytes = new List<byte>();
        void Int(int v) { var s = new byte[4]; BinaryPrimitives.WriteInt32LittleEndian(s, v); bytes.AddRange(s); }
        Int(all.Max(p => Encoding.UTF8.GetByteCount(p.Item1)));
        foreach (var (piece, score) in all)
        {
            var s = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(s, score);
            bytes.AddRange(s);
            byte[] utf8 = Encoding.UTF8.GetBytes(piece);
            Int(utf8.Length);
            bytes.AddRange(utf8);
        }
        return bytes.ToArray();
    }
}
