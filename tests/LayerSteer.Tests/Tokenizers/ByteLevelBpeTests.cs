using System.Text.Json.Nodes;
using LayerSteer.Tests.Support;
using LayerSteer.Tokenizers;

namespace LayerSteer.Tests.Tokenizers;

public class ByteLevelBpeTests
{
    static ITokenizer Qwen2Style(TempDir dir)
    {
        var (vocab, merges) = TokenizerFixtures.Gpt2Vocab();
        var config = new JsonObject
        {
            ["tokenizer_class"] = "Qwen2Tokenizer", ["eos_token"] = "<|endoftext|>", ["bos_token"] = null,
            ["added_tokens_decoder"] = new JsonObject { ["270"] = new JsonObject { ["content"] = "<|endoftext|>", ["special"] = true } },
        };
        TokenizerFixtures.WriteVocabMerges(dir.Path, vocab, merges, config);
        return TokenizerLoader.Load(dir.Path);
    }

    static ITokenizer Gpt2Style(TempDir dir)
    {
        var (vocab, merges) = TokenizerFixtures.Gpt2Vocab();
        vocab["<|endoftext|>"] = 270; // GPT-2 keeps it in vocab.json
        var config = new JsonObject
        {
            ["tokenizer_class"] = "GPT2Tokenizer", ["bos_token"] = "<|endoftext|>", ["eos_token"] = "<|endoftext|>", ["add_bos_token"] = true,
        };
        TokenizerFixtures.WriteVocabMerges(dir.Path, vocab, merges, config);
        return TokenizerLoader.Load(dir.Path);
    }

    [Fact]
    public void Qwen2_style_matches_the_transformers_test_ids()
    {
        using var dir = new TempDir();
        var tok = Qwen2Style(dir);
        // transformers tests/models/qwen2/test_tokenization_qwen2.py (input given already in NFC).
        int[] expected = [75, 78, 86, 260, 259, 260, 220, 77, 68, 86, 260, 220, 15, 16, 15, 266, 270, 267];
        Assert.Equal(expected, tok.Encode("lower lower newer 010;}\n<|endoftext|>\u03d3"));
        Assert.Equal([268, 269], tok.Encode(" ###"));
        Assert.Null(tok.BosId);
        Assert.Equal(270, tok.EosId);
    }

    [Fact]
    public void Gpt2_style_uses_the_gpt2_regex_and_adds_bos_from_the_config()
    {
        using var dir = new TempDir();
        var tok = Gpt2Style(dir);
        // GPT-2 keeps digits together (" 010" → Ġ 01 0) and splits ";}" from "\n" (Ċ = 198, as in GPT-2).
        int[] expected = [270, 75, 78, 86, 260, 259, 260, 220, 77, 68, 86, 260, 220, 264, 15, 265, 198];
        Assert.Equal(expected, tok.Encode("lower lower newer 010;}\n"));
        Assert.Equal(expected[1..], tok.Encode("lower lower newer 010;}\n", addSpecialTokens: false));
        Assert.Equal(270, tok.BosId);
        Assert.Equal([270, 270], tok.Encode("<|endoftext|>")); // a named special token is never split
    }

    [Fact]
    public void Decode_keeps_or_skips_special_tokens()
    {
        using var dir = new TempDir();
        var tok = Qwen2Style(dir);
        Assert.Equal(" lower<|endoftext|>;", tok.Decode([259, 260, 270, 26]));
        Assert.Equal(" lower;", tok.Decode([259, 260, 270, 26], skipSpecialTokens: true));
        Assert.Equal("Ġlow", tok.TokenText(259));
        Assert.Equal(271, tok.VocabSize);
        Assert.Throws<LayerSteerException>(() => tok.TokenText(271));
    }

    [Fact]
    public void Every_sample_round_trips_through_both_styles()
    {
        using var d1 = new TempDir();
        using var d2 = new TempDir();
        foreach (var tok in new[] { Qwen2Style(d1), Gpt2Style(d2) })
            foreach (string s in TokenizerFixtures.Samples)
                Assert.Equal(s, tok.Decode(tok.Encode(s), skipSpecialTokens: true));
    }

    const string Llama3Regex = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>A Llama 3-style tokenizer.json over the same vocabulary: Split + ByteLevel, merges as pairs, ignore_merges,
    /// and a Sequence post-processor that adds &lt;|begin_of_text|&gt; (270).</summary>
    static JsonObject Llama3Style(bool ignoreMerges = true)
    {
        var (vocab, merges) = TokenizerFixtures.Gpt2Vocab();
        return new JsonObject
        {
            ["added_tokens"] = new JsonArray(
                TokenizerFixtures.Added(270, "<|begin_of_text|>"), TokenizerFixtures.Added(271, "<|eot_id|>"),
                Added(272, "<mask>", lstrip: true), Added(273, "<r>", rstrip: true), Added(274, "low", singleWord: true)),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = Llama3Regex }, ["behavior"] = "Isolated", ["invert"] = false },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = false }),
            },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["processors"] = new JsonArray(
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true },
                    TokenizerFixtures.Template("<|begin_of_text|>", 270)),
            },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["byte_fallback"] = false, ["ignore_merges"] = ignoreMerges,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(merges.Select(m => (JsonNode)new JsonArray(m.Split(' ').Select(x => (JsonNode)x!).ToArray())).ToArray()),
            },
        };
    }

    static JsonObject Added(int id, string content, bool lstrip = false, bool rstrip = false, bool singleWord = false)
    {
        var t = TokenizerFixtures.Added(id, content, special: false);
        t["lstrip"] = lstrip;
        t["rstrip"] = rstrip;
        t["single_word"] = singleWord;
        return t;
    }

    [Fact]
    public void Llama3_style_takes_whole_words_from_the_vocabulary_and_groups_three_digits()
    {
        using var dir = new TempDir();
        var tok = TokenizerLoader.LoadFile(TokenizerFixtures.Write(dir, Llama3Style()));
        Assert.Equal([270, 261], tok.Encode(" lowest"));                  // Ġlowest is in the vocabulary, though no merges reach it
        Assert.Equal([270, 264, 15, 16], tok.Encode("0101"));            // \p{N}{1,3}: "010" "1"
        Assert.Equal([270, 271], tok.Encode("<|eot_id|>"));
        Assert.Equal(" lowest", tok.Decode([270, 261], skipSpecialTokens: true));
        Assert.Equal("<|begin_of_text|> lowest", tok.Decode([270, 261]));
        Assert.Equal(270, tok.BosId);
        var merged = TokenizerLoader.LoadFile(TokenizerFixtures.Write(dir, Llama3Style(ignoreMerges: false)));
        Assert.Equal([259, 68, 82, 83], merged.Encode(" lowest", addSpecialTokens: false)); // Ġlow e s t
        foreach (string s in TokenizerFixtures.Samples) Assert.Equal(s, tok.Decode(tok.Encode(s), skipSpecialTokens: true));
    }

    [Fact]
    public void Added_tokens_respect_lstrip_rstrip_and_single_word()
    {
        using var dir = new TempDir();
        var tok = TokenizerLoader.LoadFile(TokenizerFixtures.Write(dir, Llama3Style()));
        Assert.Equal([64, 272, 220, 65], tok.Encode("a <mask> b", false));  // the space before <mask> is part of it
        Assert.Equal([64, 273, 65], tok.Encode("a<r> b", false));            // the space after <r> is part of it
        Assert.Equal([274, 259, 260], tok.Encode("low lower", false));       // "low" inside "lower" is not a single word
        Assert.Equal("low", tok.Decode([274], skipSpecialTokens: true));     // not special: kept
    }
}
