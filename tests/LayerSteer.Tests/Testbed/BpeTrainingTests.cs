using System.Text.Json;
using LayerSteer.Tests.Support;
using LayerSteer.Tokenizers;
using LayerSteer.Tokenizers.Training;

namespace LayerSteer.Tests.Testbed;

public class BpeTrainingTests
{
    const string Bos = "<|endoftext|>";

    [Fact]
    public void MergesTheMostFrequentPairFirst()
    {
        // Words: hug, Ġhug ×2, Ġpug, Ġpun, Ġbun. "u g" occurs 4 times, then "h ug" 3 times.
        var bpe = BpeTrainer.Train(["hug hug hug pug pun bun"], 256 + 1 + 2, [Bos]);
        Assert.Equal([("u", "g"), ("h", "ug")], bpe.Merges);
        Assert.Equal(259, bpe.Vocab.Count);
        Assert.Equal(Bos, bpe.Vocab[0]);
        Assert.Equal("hug", bpe.Vocab[^1]);
    }

    [Fact]
    public void WrittenTokenizerLoadsWithBosTemplateAndRoundTrips()
    {
        using var dir = new TempDir();
        string[] corpus = ["the opposite of hot is cold.", "in french, cat is chat.", "Q: walk\nA: walked\n\nQ: jump\nA: jumped", "café:Café"];
        var bpe = BpeTrainer.Train(Enumerable.Repeat(corpus, 20).SelectMany(c => c), 300, [Bos]);
        TokenizerJsonWriter.Write(dir.Path, bpe, 256, "{{ bos_token }}Q: {{ messages[0]['content'] }}\nA:");
        var tok = TokenizerLoader.Load(dir.Path);
        Assert.Equal(300, tok.VocabSize);
        Assert.Equal(0, tok.BosId);
        Assert.Equal(0, tok.EosId);
        foreach (string text in corpus.Append("unseen wörds 東京 ✓\n\n  spaces"))
        {
            var ids = tok.Encode(text);
            Assert.Equal(0, ids[0]);
            Assert.Equal(text, tok.Decode(ids, skipSpecialTokens: true));
            Assert.Equal(ids[1..], tok.Encode(text, addSpecialTokens: false));
        }
        // Trained words are single tokens: " cold" is in the vocabulary and encodes to its own id.
        Assert.Single(tok.Encode(" cold", addSpecialTokens: false));
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "tokenizer_config.json")));
        Assert.Equal(Bos, config.RootElement.GetProperty("bos_token").GetString());
        Assert.Contains("Q: {{", config.RootElement.GetProperty("chat_template").GetString());
    }

    [Fact]
    public void TooSmallAVocabularyIsAClearError()
    {
        var e = Assert.Throws<LayerSteerException>(() => BpeTrainer.Train(["a b"], 200, [Bos]));
        Assert.Contains("--vocab 200", e.Message);
    }

    [Fact]
    public void TrainingIsDeterministic()
    {
        string[] corpus = ["aa bb aa bb cc dd cc dd ab ba", "bb aa dd cc"];
        Assert.Equal(BpeTrainer.Train(corpus, 270, [Bos]).Merges, BpeTrainer.Train(corpus, 270, [Bos]).Merges);
    }
}
