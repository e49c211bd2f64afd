using System.Buffers.Binary;
using System.Text.Json.Nodes;
using LayerSteer.Tests.Support;
using LayerSteer.Tokenizers;

namespace LayerSteer.Tests.Tokenizers;

/// <summary>Every broken tokenizer file gives a LayerSteerException that names the file and the problem.</summary>
public class MalformedTokenizerTests
{
    static void AssertRejected(string path, string problem, Func<ITokenizer> load)
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
}
