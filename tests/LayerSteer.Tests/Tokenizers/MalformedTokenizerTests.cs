using System.Buffers.Binary;
using System.Text.Json.Nodes;
using LayerSteer.Tests.Support;
using LayerSteer.Tokenizers;

namespace LayerSteer.Tests.Tokenizers;

/// <summary>Every broken tokenizer file gives a LayerSteerException that names the file and the problem.</summary>
public class MalformedTokenizerTests
{
    static void AssertRejected(string path, string problem, Func<object> load)
    {
        var e = Assert.Throws<LayerSteerException>(() => load());
        Assert.Contains(path, e.Message);
        Assert.Contains(problem, e.Message);
    }

    public static TheoryData<string, string> BrokenTokenizerJson => new()
    {
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, ", "not valid JSON" },
        { "[1, 2]", "must be a JSON object" },
        { "{\"normalizer\": null}", "has no \"model\"" },
        { "{\"model\": {\"type\": \"BPE\", \"merges\": []}}", "has no \"vocab\"" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2}, \"merges\": [\"a c\"]}}", "\"c\" is not in the vocabulary" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": [\"a b\"]}}", "\"ab\" is not in the vocabulary" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a a a\"]}}", "is not two tokens" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": -4}, \"merges\": []}}", "has id -4" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": \"zero\"}, \"merges\": []}}", "must be an integer" },
        { "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}", "unsupported model type \"Unigram\"" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [], \"unk_token\": \"<unk>\"}}", "model.unk_token \"<unk>\"" },
        { Valid("\"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"}"), "unsupported pre_tokenizer type \"BertPreTokenizer\"" },
        { Valid("\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"BertNormalizer\"}]}"), "unsupported normalizer type \"BertNormalizer\"" },
        { Valid("\"decoder\": {\"type\": \"WordPiece\"}"), "unsupported decoder type \"WordPiece\"" },
        { Valid("\"post_processor\": {\"type\": \"RobertaProcessing\"}"), "unsupported post_processor type \"RobertaProcessing\"" },
        { Valid("\"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"(unclosed\"}, \"behavior\": \"Isolated\"}"), "not a usable regex" },
        { Valid("\"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"a\"}, \"behavior\": \"Sideways\"}"), "\"Sideways\" is not one of" },
        { Valid("\"pre_tokenizer\": {\"type\": \"Metaspace\", \"prepend_scheme\": \"sometimes\"}"), "\"sometimes\" is not always, first or never" },
        { Valid("\"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"<s>\"}}], \"special_tokens\": {}}"), "which post_processor.special_tokens does not define" },
        { Valid("\"pre_tokenizer\": {\"ty\": \"ByteLevel\"}"), "pre_tokenizer has no \"type\"" },
        { Valid("\"added_tokens\": [{\"id\": 5}]"), "added_tokens[0] has no \"content\"" },
        { Valid("\"added_tokens\": [{\"id\": 2000000000, \"content\": \"<x>\"}]"), "added_tokens[0] has id 2000000000" },
    };

    static string Valid(string member) => "{" + member + ", \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []}}";

    [Theory]
    [MemberData(nameof(BrokenTokenizerJson))]
    public void Broken_tokenizer_json(string json, string problem)
    {
        using var dir = new TempDir();
        string path = dir.File("tokenizer.json");
        File.WriteAllText(path, json);
        AssertRejected(path, problem, () => TokenizerLoader.Load(dir.Path));
    }

    [Theory]
    [InlineData("vocab.json", "{\"a\": 0,", "not valid JSON")]
    [InlineData("vocab.json", "{\"a\": 1.5}", "must be an integer")]
    [InlineData("vocab.json", "{}", "is empty")]
    [InlineData("merges.txt", "#version: 0.2\nĠ l\nĠl o w\n", "line 3 \"Ġl o w\" is not two tokens")]
    [InlineData("merges.txt", "Ġ zz\n", "\"zz\" is not in the vocabulary")]
    [InlineData("merges.txt", "Ġ Ġ\n", "\"ĠĠ\" is not in the vocabulary")]
    [InlineData("tokenizer_config.json", "{\"bos_token\": ", "not valid JSON")]
    [InlineData("tokenizer_config.json", "{\"bos_token\": 3}", "bos_token must be a string")]
    [InlineData("tokenizer_config.json", "{\"added_tokens_decoder\": {\"x\": {\"content\": \"<x>\"}}}", "the key must be a token id")]
    [InlineData("tokenizer_config.json", "{\"added_tokens_decoder\": {\"-3\": {\"content\": \"<x>\"}}}", "has id -3")]
    public void Broken_vocab_merges_folder(string file, string content, string problem)
    {
        using var dir = new TempDir();
        var (vocab, merges) = TokenizerFixtures.Gpt2Vocab();
        TokenizerFixtures.WriteVocabMerges(dir.Path, vocab, merges, new JsonObject());
        File.WriteAllText(dir.File(file), content);
        AssertRejected(dir.File(file), problem, () => TokenizerLoader.Load(dir.Path));
    }

    [Fact]
    public void Vocab_json_without_merges_txt_names_the_missing_file()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("vocab.json"), "{\"a\": 0}");
        AssertRejected(dir.File("merges.txt"), "file not found", () => TokenizerLoader.Load(dir.Path));
    }

    public static TheoryData<string, byte[]> BrokenLlama2cBin()
    {
        byte[] good = TokenizerFixtures.Llama2cBin((" ", 0), ("ab", 1));
        byte[] With(int offset, int value) { var b = (byte[])good.Clone(); BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(offset), value); return b; }
        // Record 0 starts at byte 4: score at 4, length at 8, "<unk>" at 12.
        return new()
        {
            { "truncated: no max_token_length header", good[..3] },
            { "max_token_length is 0", With(0, 0) },
            { "max_token_length is -7", With(0, -7) },
            { "token 0 has negative length -5", With(8, -5) },
            { "token 0 is 99 bytes, more than max_token_length", With(8, 99) },
            { "truncated: token 260's score and length are cut off", good[..^5] },
            { "truncated: token 260 needs 2 bytes", good[..^1] },
            { "holds 3 tokens", good[..(4 + 8 + 5 + 8 + 5 + 8 + 6)] },
        };
    }

    [Theory]
    [MemberData(nameof(BrokenLlama2cBin))]
    public void Broken_llama2c_bin(string problem, byte[] content)
    {
        using var dir = new TempDir();
        string path = dir.File("tokenizer.bin");
        File.WriteAllBytes(path, content);
        AssertRejected(path, problem, () => TokenizerLoader.Load(dir.Path));
    }

    // ---- Hostile files: a LayerSteerException naming the file, fast, whatever the input claims. ----

    /// <summary>Runs <paramref name="load"/> with a time limit, so a hang fails the test instead of stalling the run.</summary>
    static T WithinSeconds<T>(double seconds, Func<T> load)
    {
        var task = Task.Run(load);
        try { Assert.True(task.Wait(TimeSpan.FromSeconds(seconds)), $"still running after {seconds} s"); }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1) { throw e.InnerExceptions[0]; }
        return task.Result;
    }

    static string Nested(int depth) => new string('[', depth) + new string(']', depth);
    static string Deep(int depth) => "{\"type\": \"Sequence\", \"normalizers\": [" + string.Concat(Enumerable.Repeat("{\"type\": \"Sequence\", \"normalizers\": [", depth)) + string.Concat(Enumerable.Repeat("]}", depth)) + "]}";

    public static TheoryData<string, string> HostileTokenizerJson => new()
    {
        { "{\"model\": " + Nested(100_000) + "}", "not valid JSON" },
        { Valid("\"normalizer\": " + Deep(100_000)), "not valid JSON" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 1e400}, \"merges\": []}}", "model.vocab[\"a\"] must be an integer" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 99999999999999999999999}, \"merges\": []}}", "must be an integer" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [], \"dropout\": 1e400}}", "model.dropout is not supported" },
        { Valid("\"decoder\": {\"type\": \"Strip\", \"content\": \" \", \"start\": 1e12}"), "decoder.start must be an integer" },
        { Valid("\"post_processor\": " + Template("2000000000")), "has id 2000000000" },
        { Valid("\"post_processor\": " + Template("\"x\"")), "post_processor.special_tokens[\"<s>\"].ids must be an integer" },
        { "{\"model\": \"BPE\"}", "model must be an object" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": [\"a\"], \"merges\": []}}", "model.vocab must be an object" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": {}}}", "model.merges must be an array" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [[\"a\", 5]]}}", "model.merges[0] must be" },
        { Valid("\"normalizer\": 5"), "normalizer must be an object" },
        { Valid("\"pre_tokenizer\": {\"type\": 5}"), "pre_tokenizer.type must be a string" },
        { Valid("\"decoder\": {\"type\": \"Sequence\", \"decoders\": \"x\"}"), "decoder.decoders must be an array" },
        { Valid("\"added_tokens\": {}"), "added_tokens must be an array" },
        { Valid("\"added_tokens\": [{\"id\": 1, \"content\": \"<x>\", \"special\": \"yes\"}]"), "added_tokens[0].special must be true or false" },
        // A Rust String cannot hold a lone surrogate: Hugging Face rejects these escapes too.
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"\\ud800\": 0}, \"merges\": []}}", "model.vocab has a key that is not valid Unicode text" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a \\udc00\"]}}", "model.merges[0] is not valid Unicode text" },
        { "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [[\"a\", \"\\udc00\"]]}}", "model.merges[0] is not valid Unicode text" },
        { Valid("\"added_tokens\": [{\"id\": 1, \"content\": \"\\ud83d\"}]"), "added_tokens[0].content is not valid Unicode text" },
    };

    static string Template(string id) =>
        "{\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"<s>\"}}], \"special_tokens\": {\"<s>\": {\"ids\": [" + id + "]}}}";

    [Theory]
    [MemberData(nameof(HostileTokenizerJson))]
    public void Hostile_tokenizer_json(string json, string problem)
    {
        using var dir = new TempDir();
        string path = dir.File("tokenizer.json");
        File.WriteAllText(path, json);
        AssertRejected(path, problem, () => WithinSeconds(10, () => TokenizerLoader.Load(dir.Path)));
    }

    [Theory]
    [InlineData("vocab.json", "NESTED", "not valid JSON")]
    [InlineData("vocab.json", "{\"\\udc00x\": 0}", "vocab.json has a key that is not valid Unicode text")]
    [InlineData("vocab.json", "{\"a\": 1e400}", "must be an integer")]
    [InlineData("vocab.json", "[0, 1]", "must be an object")]
    [InlineData("tokenizer_config.json", "NESTED", "not valid JSON")]
    [InlineData("tokenizer_config.json", "{\"added_tokens_decoder\": []}", "added_tokens_decoder must be an object")]
    [InlineData("tokenizer_config.json", "{\"added_tokens_decoder\": {\"99999999999999999999\": {\"content\": \"<x>\"}}}", "the key must be a token id")]
    [InlineData("tokenizer_config.json", "{\"added_tokens_decoder\": {\"1\": 5}}", "added_tokens_decoder[\"1\"] must be an object")]
    [InlineData("tokenizer_config.json", "{\"eos_token\": [\"</s>\"]}", "eos_token must be a string or an object")]
    [InlineData("tokenizer_config.json", "{\"eos_token\": \"\\ud800\"}", "eos_token is not valid Unicode text")]
    [InlineData("tokenizer_config.json", "{\"add_bos_token\": 1}", "add_bos_token must be true or false")]
    [InlineData("merges.txt", "BINARY", "line 1 is not valid UTF-8")]
    public void Hostile_vocab_merges_folder(string file, string content, string problem)
    {
        using var dir = new TempDir();
        var (vocab, merges) = TokenizerFixtures.Gpt2Vocab();
        TokenizerFixtures.WriteVocabMerges(dir.Path, vocab, merges, new JsonObject());
        if (content == "BINARY") File.WriteAllBytes(dir.File(file), [0xFF, 0xFE, 0x20, 0xC0, 0x0A, 0x00, 0x20, 0x01]);
        else File.WriteAllText(dir.File(file), content == "NESTED" ? Nested(100_000) : content);
        AssertRejected(dir.File(file), problem, () => WithinSeconds(10, () => TokenizerLoader.Load(dir.Path)));
    }

    [Fact]
    public void Invalid_utf8_in_merges_txt_names_its_line()
    {
        using var dir = new TempDir();
        var (vocab, _) = TokenizerFixtures.Gpt2Vocab();
        TokenizerFixtures.WriteVocabMerges(dir.Path, vocab, [], new JsonObject());
        // 5000 good lines, then a bad one: a buffered decoder reading ahead would report an earlier line.
        var bytes = new List<byte>();
        for (int i = 0; i < 5000; i++) bytes.AddRange("Ġ l\n"u8.ToArray());
        bytes.AddRange([0xC0, 0x20, 0x6C, 0x0A]);
        File.WriteAllBytes(dir.File("merges.txt"), [.. bytes]);
        AssertRejected(dir.File("merges.txt"), "line 5001 is not valid UTF-8", () => TokenizerLoader.Load(dir.Path));
    }

    /// <summary>10⁷ merges claimed: rejected at the first bad line without reading the rest into memory; a long list of
    /// valid (repeated) merges loads in time and memory that do not grow with the repeats.</summary>
    [Fact]
    public void Ten_million_merges()
    {
        using var dir = new TempDir();
        var (vocab, _) = TokenizerFixtures.Gpt2Vocab();
        TokenizerFixtures.WriteVocabMerges(dir.Path, vocab, [], new JsonObject());
        using (var w = new StreamWriter(dir.File("merges.txt")))
        {
            w.Write("#version: 0.2\nĠ l\nq zz\n");
            for (int i = 0; i < 10_000_000; i++) w.Write("Ġ l\n");
        }
        long before = GC.GetTotalAllocatedBytes();
        AssertRejected(dir.File("merges.txt"), "line 3 merges \"q\" + \"zz\"", () => WithinSeconds(10, () => TokenizerLoader.Load(dir.Path)));
        Assert.True(GC.GetTotalAllocatedBytes() - before < 50 << 20, "read the whole file to reject line 3");

        File.WriteAllText(dir.File("merges.txt"), "#version: 0.2\n" + string.Concat(Enumerable.Repeat("Ġ l\n", 1_000_000)));
        var tok = WithinSeconds(20, () => TokenizerLoader.Load(dir.Path));
        Assert.Equal([256], tok.Encode(" l"));
    }

    [Fact]
    public void Hostile_llama2c_bin_loads_in_linear_time()
    {
        using var dir = new TempDir();
        // One 4 MB piece (splitting it at every point and looking up both halves would take hours) and 10⁶ empty pieces.
        var pieces = new List<(string, float)> { (new string('a', 4 << 20), 1) };
        pieces.AddRange(Enumerable.Repeat(("", 0f), 1_000_000));
        File.WriteAllBytes(dir.File("tokenizer.bin"), TokenizerFixtures.Llama2cBin([.. pieces]));
        var tok = WithinSeconds(20, () => TokenizerLoader.Load(dir.Path));
        Assert.Equal(259 + pieces.Count, tok.VocabSize);
        Assert.Equal([1, 3 + ' ', 3 + 'a'], tok.Encode("a")); // " " and "a" are not pieces here: their bytes
    }

    [Fact]
    public void A_catastrophically_backtracking_pattern_is_an_error_naming_the_file()
    {
        using var dir = new TempDir();
        string path = dir.File("tokenizer.json");
        File.WriteAllText(path, Valid("\"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"(a+)+b\"}, \"behavior\": \"Isolated\"}"));
        var tok = TokenizerLoader.Load(dir.Path);
        AssertRejected(path, "catastrophic backtracking", () => WithinSeconds(20, () => tok.Encode(new string('a', 40))));
    }

    /// <summary>Seeded random corruption (flipped, inserted, deleted bytes; truncation) of each kind of tokenizer file: every
    /// result either loads, and then encodes and decodes without throwing, or is a LayerSteerException naming the file.</summary>
    [Theory]
    [InlineData("tokenizer.json")]
    [InlineData("vocab.json")]
    [InlineData("merges.txt")]
    [InlineData("tokenizer_config.json")]
    [InlineData("tokenizer.bin")]
    public void Corrupted_files_fail_cleanly(string file)
    {
        using var dir = new TempDir();
        if (file == "tokenizer.json") TokenizerFixtures.Write(dir, TokenizerFixtures.SentencePieceJson());
        else if (file == "tokenizer.bin") File.WriteAllBytes(dir.File(file), TokenizerFixtures.Llama2cBin((" ", 0), ("ab", 1), (" ab", 2)));
        else
        {
            var (vocab, merges) = TokenizerFixtures.Gpt2Vocab();
            TokenizerFixtures.WriteVocabMerges(dir.Path, vocab, merges, new JsonObject { ["tokenizer_class"] = "Qwen2Tokenizer", ["eos_token"] = "Ġlow", ["added_tokens_decoder"] = new JsonObject { ["269"] = TokenizerFixtures.Added(269, "##") } });
        }
        byte[] good = File.ReadAllBytes(dir.File(file));
        var random = new Random(file.Length);
        int loaded = 0;
        for (int n = 0; n < 300; n++)
        {
            var bytes = good.ToList();
            for (int k = random.Next(1, 4); k > 0 && bytes.Count > 0; k--)
            {
                int at = random.Next(bytes.Count);
                switch (random.Next(4))
                {
                    case 0: bytes[at] = (byte)random.Next(256); break;
                    case 1: bytes.Insert(at, (byte)"{}[]\",:0\\9-e "[random.Next(13)]); break;
                    case 2: bytes.RemoveAt(at); break;
                    default: bytes.RemoveRange(at, bytes.Count - at); break;
                }
            }
            File.WriteAllBytes(dir.File(file), [.. bytes]);
            try
            {
                var tok = WithinSeconds(10, () => TokenizerLoader.Load(dir.Path));
                loaded++;
                foreach (string s in TokenizerFixtures.Samples) tok.Decode(tok.Encode(s), skipSpecialTokens: n % 2 == 0);
                tok.Decode([-1, 0, 1, 2, tok.VocabSize - 1, tok.VocabSize, int.MaxValue]);
            }
            catch (LayerSteerException e) { Assert.Contains(dir.Path, e.Message); }
        }
        Assert.InRange(loaded, 1, 299); // the corruption both breaks files and leaves some loadable
    }
}
