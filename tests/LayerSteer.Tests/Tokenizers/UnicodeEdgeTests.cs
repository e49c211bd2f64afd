using LayerSteer.Tests.Support;
using LayerSteer.Tokenizers;

namespace LayerSteer.Tests.Tokenizers;

/// <summary>Invalid UTF-16, non-characters, NUL and combining marks go through every tokenizer as in Hugging Face
/// (HfUnicodeOracle.cs, written by HfUnicodeOracle.js), and no id sequence makes Decode throw.</summary>
public class UnicodeEdgeTests
{
    /// <summary>Must match the edges of HfUnicodeOracle.js. Theories take the names: xUnit cannot carry lone surrogates.</summary>
    public static readonly Dictionary<string, string> Edges = new()
    {
        ["lone_high"] = "\ud83d", ["lone_low"] = "\udc00", ["high_in_word"] = "a\ud83db", ["low_then_high"] = "\udc00\ud83d",
        ["lone_in_text"] = "hot \ud83d cold", ["emoji_then_lone"] = "😀\ud83d", ["lone_then_combining"] = "\ud83d\u0301",
        ["fffd"] = "\ufffd", ["fffe"] = "\ufffe", ["ffff"] = "\uffff", ["fdd0"] = "\ufdd0", ["fdef"] = "\ufdef", ["fffe_in_text"] = "x\ufffey",
        ["fffe_between_marks"] = "e\ufffe\u0301 a\u0323\ufffe\u0301", ["nonchar_astral"] = "\U0001FFFE", ["emoji_pair"] = "😀",
        ["nul"] = "\0", ["nul_in_text"] = "a\0b", ["combining"] = "e\u0301", ["combining_many"] = "a\u0301\u0323 q\u0323\u0307",
    };

    static readonly string[] HfTokenizers = ["llama3", "gemma3", "qwen3", "llama2", "deepseek_v3"];
    static readonly Dictionary<string, ITokenizer> Loaded = [];

    static ITokenizer Load(string name)
    {
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(name, out var tok)) Loaded[name] = tok = TokenizerLoader.Load(Shared.Path("tokenizers", name));
            return tok;
        }
    }

    // Qwen2.5's vocab.json + merges.txt are Qwen 3's vocabulary and merges, with the same NFC and word regex
    // (OracleTokenizerTests checks it on the whole corpus), so Hugging Face's Qwen 3 answers are Qwen2.5's.
    static string OracleName(string name) => name == "qwen2.5" ? "qwen3" : name;

    public static TheoryData<string, string> EveryTokenizerAndEdge()
    {
        var data = new TheoryData<string, string>();
        foreach (string t in HfTokenizers.Append("qwen2.5"))
            foreach (string e in Edges.Keys) data.Add(t, e);
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(EveryTokenizerAndEdge))]
    public void Edge_strings_encode_and_decode_as_in_hugging_face(string name, string edge)
    {
        var tok = Load(name);
        var (ids, plain, decoded) = HfUnicodeOracle.Encode[(OracleName(name), edge)];
        Assert.Equal(plain, tok.Encode(Edges[edge], addSpecialTokens: false));
        Assert.Equal(ids, tok.Encode(Edges[edge]));
        Assert.Equal(decoded, tok.Decode(plain));
    }

    public static TheoryData<string> EveryTokenizer() => new(HfTokenizers.Append("qwen2.5").Append("tok512.bin"));

    /// <summary>Derived without the oracle: a lone surrogate is U+FFFD (for the llama2.c tokenizer too, which HF has no twin of).</summary>
    [SharedTheory]
    [MemberData(nameof(EveryTokenizer))]
    public void A_lone_surrogate_encodes_as_u_fffd(string name)
    {
        var tok = name == "tok512.bin" ? TokenizerLoader.Load(Shared.Model("stories260K")) : Load(name);
        foreach (var (edge, text) in Edges)
        {
            string replaced = string.Concat(text.EnumerateRunes().Select(r => r.ToString())); // EnumerateRunes yields U+FFFD for each lone surrogate
            foreach (bool special in new[] { true, false })
                Assert.True(tok.Encode(replaced, special).SequenceEqual(tok.Encode(text, special)), $"{name} {edge} special={special}");
        }
        Assert.Equal(tok.Encode("a\ufffd"), tok.Encode("a\ud83d"));
    }

    [SharedFact]
    public void Qwen_lone_high_surrogate_is_the_byte_level_spelling_of_u_fffd()
    {
        foreach (string name in new[] { "qwen3", "qwen2.5" })
        {
            var tok = Load(name);
            Assert.Equal([5691], tok.Encode("\ud83d"));
            Assert.Equal("ï¿½", tok.TokenText(5691)); // EF BF BD in GPT-2's byte alphabet
        }
    }

    public static TheoryData<string, string> EveryTokenizerAndByteRun()
    {
        var data = new TheoryData<string, string>();
        foreach (string t in HfTokenizers.Append("qwen2.5"))
            foreach (var (tok, bytes) in HfUnicodeOracle.DecodeBytes.Keys)
                if (tok == OracleName(t)) data.Add(t, bytes);
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(EveryTokenizerAndByteRun))]
    public void Invalid_utf8_decodes_to_replacement_characters_as_in_hugging_face(string name, string bytes)
    {
        var (ids, decoded) = HfUnicodeOracle.DecodeBytes[(OracleName(name), bytes)];
        Assert.Equal(decoded, Load(name).Decode(ids));
    }

    [SharedTheory]
    [MemberData(nameof(EveryTokenizer))]
    public void Decode_never_throws_on_arbitrary_ids(string name)
    {
        var tok = name == "tok512.bin" ? TokenizerLoader.Load(Shared.Model("stories260K")) : Load(name);
        var random = new Random(7);
        for (int n = 0; n < 300; n++)
        {
            int[] ids = Enumerable.Range(0, random.Next(1, 12)).Select(_ => random.Next(-5, tok.VocabSize + 5)).ToArray();
            foreach (bool skip in new[] { false, true })
            {
                string text = tok.Decode(ids, skip);
                Assert.True(UnicodeText.Sanitize(text) == text, $"{name}: decode of [{string.Join(",", ids)}] is not valid UTF-16");
            }
        }
    }
}
