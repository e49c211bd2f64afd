using System.Text.Json.Nodes;
using LayerSteer.Tests.Support;
using LayerSteer.Tokenizers;

namespace LayerSteer.Tests.Tokenizers;

public class TokenizerLoaderTests
{
    static void WriteAllKinds(TempDir dir, params string[] kinds)
    {
        if (kinds.Contains("json")) TokenizerFixtures.Write(dir, TokenizerFixtures.SentencePieceJson());
        if (kinds.Contains("vocab"))
        {
            var (vocab, merges) = TokenizerFixtures.Gpt2Vocab();
            TokenizerFixtures.WriteVocabMerges(dir.Path, vocab, merges, null);
        }
        if (kinds.Contains("bin")) File.WriteAllBytes(dir.File("tok512.bin"), TokenizerFixtures.Llama2cBin((" ", 0)));
    }

    [Theory]
    [InlineData(new[] { "json", "vocab", "bin" }, typeof(BpeTokenizer), 275)]
    [InlineData(new[] { "vocab", "bin" }, typeof(BpeTokenizer), 270)]
    [InlineData(new[] { "bin" }, typeof(Llama2cTokenizer), 260)]
    public void Load_prefers_tokenizer_json_then_vocab_merges_then_llama2c_bin(string[] kinds, Type type, int vocabSize)
    {
        using var dir = new TempDir();
        WriteAllKinds(dir, kinds);
        var tok = TokenizerLoader.Load(dir.Path);
        Assert.IsType(type, tok);
        Assert.Equal(vocabSize, tok.VocabSize);
    }

    [Fact]
    public void Gpt2_style_is_the_default_without_a_config()
    {
        using var dir = new TempDir();
        WriteAllKinds(dir, "vocab");
        var tok = TokenizerLoader.Load(dir.Path);
        Assert.Equal([220, 264, 15], tok.Encode(" 010")); // GPT-2 keeps digits together, Qwen2 would not
        Assert.Null(tok.BosId);
    }

    [Fact]
    public void Missing_or_empty_folder_names_the_folder()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<LayerSteerException>(() => TokenizerLoader.Load(dir.Path));
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("tokenizer.json", e.Message);
        string missing = dir.File("nope");
        Assert.Contains(missing, Assert.Throws<LayerSteerException>(() => TokenizerLoader.Load(missing)).Message);
    }

    [Fact]
    public void LoadFile_picks_the_format_from_the_name()
    {
        using var dir = new TempDir();
        WriteAllKinds(dir, "json", "vocab", "bin");
        Assert.Equal(275, TokenizerLoader.LoadFile(dir.File("tokenizer.json")).VocabSize);
        Assert.Equal(270, TokenizerLoader.LoadFile(dir.File("vocab.json")).VocabSize);
        Assert.Equal(270, TokenizerLoader.LoadFile(dir.File("merges.txt")).VocabSize);
        Assert.IsType<Llama2cTokenizer>(TokenizerLoader.LoadFile(dir.File("tok512.bin")));
        File.WriteAllText(dir.File("notes.txt"), "hi");
        Assert.Contains(dir.File("notes.txt"), Assert.Throws<LayerSteerException>(() => TokenizerLoader.LoadFile(dir.File("notes.txt"))).Message);
        Assert.Contains(dir.File("gone.json"), Assert.Throws<LayerSteerException>(() => TokenizerLoader.LoadFile(dir.File("gone.json"))).Message);
    }

    [Fact]
    public void Tokenizer_config_beside_tokenizer_json_names_bos_and_eos()
    {
        using var dir = new TempDir();
        TokenizerFixtures.Write(dir, TokenizerFixtures.SentencePieceJson());
        Assert.Null(TokenizerLoader.Load(dir.Path).EosId);
        File.WriteAllText(dir.File("tokenizer_config.json"), new JsonObject { ["bos_token"] = "<s>", ["eos_token"] = new JsonObject { ["content"] = "</s>" } }.ToJsonString());
        var tok = TokenizerLoader.Load(dir.Path);
        Assert.Equal(1, tok.BosId);
        Assert.Equal(2, tok.EosId);
    }
}
