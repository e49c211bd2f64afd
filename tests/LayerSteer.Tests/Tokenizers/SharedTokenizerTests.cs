using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LayerSteer.Tests.Support;
using LayerSteer.Tokenizers;
using Xunit.Abstractions;

namespace LayerSteer.Tests.Tokenizers;

public class SharedTokenizerTests(ITestOutputHelper output)
{
    static readonly Lazy<ITokenizer> Qwen = new(() => TokenizerLoader.Load(Shared.Path("tokenizers", "qwen2.5")));

    // Published ids: transformers tests/models/qwen2/test_tokenization_qwen2.py (test_tokenizer_integration, Qwen/Qwen-tokenizer,
    // the same 151,643-token vocabulary as Qwen2.5), padding removed.
    public static TheoryData<string, int[]> QwenPublished => new()
    {
        {
            "Transformers (formerly known as pytorch-transformers and pytorch-pretrained-bert) provides general-purpose architectures (BERT, GPT-2, RoBERTa, XLM, DistilBert, XLNet...) for Natural Language Understanding (NLU) and Natural Language Generation (NLG) with over 32+ pretrained models in 100+ languages and deep interoperability between Jax, PyTorch and TensorFlow.",
            [8963, 388, 320, 69514, 3881, 438, 4510, 27414, 32852, 388, 323, 4510, 27414, 21334, 35722, 1455, 529, 8, 5707, 4586, 58238, 77235, 320, 61437, 11, 479, 2828, 12, 17, 11, 11830, 61437, 64, 11, 1599, 10994, 11, 27604, 321, 33, 529, 11, 29881, 6954, 32574, 369, 18448, 11434, 45451, 320, 45, 23236, 8, 323, 18448, 11434, 23470, 320, 30042, 38, 8, 448, 916, 220, 18, 17, 10, 80669, 4119, 304, 220, 16, 15, 15, 10, 15459, 323, 5538, 94130, 2897, 1948, 619, 706, 11, 5355, 51, 21584, 323, 94986, 13]
        },
        {
            "🤗 Transformers 提供了可以轻松地下载并且训练先进的预训练模型的 API 和工具。使用预训练模型可以减少计算消耗和碳排放，并且节省从头训练所需要的时间和资源。",
            [144834, 80532, 93685, 83744, 34187, 73670, 104261, 29490, 62189, 103937, 104034, 102830, 98841, 104034, 104949, 9370, 5333, 58143, 102011, 1773, 37029, 98841, 104034, 104949, 73670, 101940, 100768, 104997, 33108, 100912, 105054, 90395, 100136, 106831, 45181, 64355, 104034, 113521, 101975, 33108, 85329, 1773]
        },
        {
            "```python\ntokenizer = AutoTokenizer.from_pretrained(\"Qwen/Qwen-tokenizer\")\ntokenizer(\"世界，你好！\")```",
            [73594, 12669, 198, 85593, 284, 8979, 37434, 6387, 10442, 35722, 445, 48, 16948, 45274, 16948, 34841, 3135, 1138, 85593, 445, 99489, 3837, 108386, 6313, 899, 73594]
        },
        // alibaba/rtp-llm maga_transformer/test/tokenizer_test/qwen2_tokenizer_test.py
        { "<|im_start|>hello<|im_end|>", [151644, 14990, 151645] },
        // GPT-2 byte-level BPE by the textbook algorithm (a Python reference run on the same files).
        { "Hello world", [9707, 1879] },
        { "Hello, world! 123 ünïcödé 你好", [9707, 11, 1879, 0, 220, 16, 17, 18, 10489, 77, 37572, 66, 2956, 128505, 220, 108386] },
    };

    [SharedTheory]
    [MemberData(nameof(QwenPublished))]
    public void Qwen25_vocab_and_merges_give_the_published_ids(string text, int[] expected)
    {
        Assert.Equal(expected, Qwen.Value.Encode(text));
        Assert.Equal(text, Qwen.Value.Decode(expected));
    }

    [SharedFact]
    public void Qwen25_special_tokens_and_sizes()
    {
        var tok = Qwen.Value;
        Assert.Null(tok.BosId);
        Assert.Equal(151645, tok.EosId); // tokenizer_config.json: eos_token <|im_end|>
        Assert.Equal(151665, tok.VocabSize);
        Assert.Equal("<|endoftext|>", tok.TokenText(151643));
        Assert.Equal("Ġcold", tok.TokenText(9255));
        Assert.Equal(9255, ((BpeTokenizer)tok).IdOf("Ġcold"));
        Assert.Equal(151644, ((BpeTokenizer)tok).IdOf("<|im_start|>"));
        Assert.Null(((BpeTokenizer)tok).IdOf("no such token"));
        Assert.Equal("hi", tok.Decode([151644, 6023, 151645, 151643], skipSpecialTokens: true));
        Assert.Equal("hi", tok.Decode([6023, 151700])); // ids past the vocabulary (padded embedding rows) are skipped
        foreach (string s in TokenizerFixtures.Samples) Assert.Equal(s, tok.Decode(tok.Encode(s)));
    }

    [SharedFact]
    public void Qwen25_encodes_a_megabyte_of_english_quickly()
    {
        var text = new StringBuilder();
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(Shared.Path("data", "function_vectors", "abstractive", "ag_news.json"))))
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                if (text.Length >= 1 << 20) break;
                text.Append(e.GetProperty("input").GetString()).Append('\n');
            }
        string s = text.ToString();
        var tok = Qwen.Value;
        tok.Encode("warm up");
        var watch = Stopwatch.StartNew();
        int[] ids = tok.Encode(s);
        watch.Stop();
        output.WriteLine($"Qwen2.5: {Encoding.UTF8.GetByteCount(s) / 1e6:F2} MB → {ids.Length} tokens in {watch.Elapsed.TotalSeconds:F3} s");
        Assert.Equal(s, tok.Decode(ids));
        Assert.True(watch.Elapsed.TotalSeconds < 10, $"took {watch.Elapsed.TotalSeconds:F1} s");
    }

    [SharedFact]
    public void Wordworld_adds_endoftext_first_and_decodes_back()
    {
        var tok = TokenizerLoader.Load(Shared.Model("wordworld-v1"));
        const string text = "hot is the opposite of cold.";
        // h ot Ġis Ġthe Ġopposite Ġof Ġcol d . — the textbook GPT-2 algorithm (Python reference) on this tokenizer.json.
        int[] expected = [0, 72, 416, 259, 271, 290, 300, 654, 68, 14];
        int[] ids = tok.Encode(text);
        Assert.Equal(expected, ids);
        Assert.Equal(expected[1..], tok.Encode(text, addSpecialTokens: false));
        Assert.Equal(text, tok.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("<|endoftext|>" + text, tok.Decode(ids));
        Assert.Equal(0, tok.BosId);
        Assert.Equal(0, tok.EosId);
        Assert.Equal(2048, tok.VocabSize);
        foreach (string s in TokenizerFixtures.Samples) Assert.Equal(s, tok.Decode(tok.Encode(s), skipSpecialTokens: true));
    }
}
