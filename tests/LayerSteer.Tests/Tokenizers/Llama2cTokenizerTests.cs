using LayerSteer.Tests.Support;
using LayerSteer.Tokenizers;

namespace LayerSteer.Tests.Tokenizers;

public class Llama2cTokenizerTests
{
    static Llama2cTokenizer Write(TempDir dir, params (string, float)[] pieces)
    {
        string path = dir.File("tokenizer.bin");
        File.WriteAllBytes(path, TokenizerFixtures.Llama2cBin(pieces));
        return Llama2cTokenizer.Load(path);
    }

    // Extra pieces get ids from 259 on.
    static readonly (string, float)[] Pieces = [(" ", -10), ("a", 0), ("b", 0), ("c", 0), ("x", 0), (" a", 5), ("ab", 1), ("bc", 9), ("xx", 3), ("é", 0)];
    const int Sp = 259, A = 260, B = 261, C = 262, X = 263, SpA = 264, Ab = 265, Bc = 266, Xx = 267, EAcute = 268;

    [Fact]
    public void Merges_the_best_scoring_pair_first_and_the_leftmost_on_ties()
    {
        using var dir = new TempDir();
        var tok = Write(dir, Pieces);
        Assert.Equal([1, SpA, Bc], tok.Encode("abc"));        // "bc" (9) before " a" (5); "ab" (1) never gets its chance
        Assert.Equal([1, SpA, B], tok.Encode("ab"));          // " a" (5) beats "ab" (1)
        Assert.Equal([Sp, Xx, X], tok.Encode("xxx", false));  // two "xx" candidates: the left one
        Assert.Equal([Sp, EAcute, 3 + 0xE4, 3 + 0xB8, 3 + 0xAD], tok.Encode("é中", false)); // 中 = E4 B8 AD, id = byte + 3
        Assert.Equal([1], tok.Encode(""));                     // no dummy prefix for empty text
    }

    [Fact]
    public void Decode_strips_the_space_after_bos_and_turns_byte_pieces_into_bytes()
    {
        using var dir = new TempDir();
        var tok = Write(dir, Pieces);
        Assert.Equal("abc", tok.Decode([1, SpA, Bc], skipSpecialTokens: true));
        Assert.Equal(" abc", tok.Decode([SpA, Bc]));
        Assert.Equal("\n<s>\nabc\n</s>\n", tok.Decode([1, SpA, Bc, 2]));
        Assert.Equal("abc", tok.Decode([1, SpA, Bc, 2], skipSpecialTokens: true));
        Assert.Equal("é中", tok.Decode([1, Sp, EAcute, 3 + 0xE4, 3 + 0xB8, 3 + 0xAD], skipSpecialTokens: true));
        Assert.Equal(269, tok.VocabSize);
        Assert.Equal(" a", tok.TokenText(SpA));
    }

    [Fact]
    public void Every_sample_round_trips_after_bos()
    {
        using var dir = new TempDir();
        var tok = Write(dir, Pieces);
        foreach (string s in TokenizerFixtures.Samples)
        {
            Assert.Equal(s, tok.Decode(tok.Encode(s), skipSpecialTokens: true));
            Assert.Equal(s.Length == 0 ? "" : " " + s, tok.Decode(tok.Encode(s, addSpecialTokens: false))); // no BOS: the dummy space stays
        }
    }

    [SharedFact]
    public void Stories260K_golden_ids_decode_to_the_golden_text_and_encode_back()
    {
        var tok = TokenizerLoader.Load(Shared.Model("stories260K"));
        Assert.IsType<Llama2cTokenizer>(tok);
        Assert.Equal(512, tok.VocabSize);
        var (ids, text) = Golden(Shared.Path("models", "stories260K", "golden_greedy_bos_64.txt"));
        Assert.Equal(text, tok.Decode(ids));
        int[] again = tok.Encode(text);
        Assert.Equal(1, again[0]);
        Assert.Equal(text, tok.Decode(again, skipSpecialTokens: true));
        // The dummy prefix plus the text's own leading space: after BOS only one of them is dropped.
        Assert.Equal(" Once", tok.Decode(again.Take(3), skipSpecialTokens: true));
        foreach (string s in TokenizerFixtures.Samples) Assert.Equal(s, tok.Decode(tok.Encode(s), skipSpecialTokens: true));
    }

    /// <summary>The "ids:" and "text:" lines of a golden file; the text is a quoted string where &lt;0x0A&gt; stands for a newline.</summary>
    internal static (int[] Ids, string Text) Golden(string path)
    {
        string[] lines = File.ReadAllLines(path);
        int[] ids = lines.Single(l => l.StartsWith("ids:")).Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(int.Parse).ToArray();
        string quoted = lines.Single(l => l.StartsWith("text:"))["text:".Length..].Trim();
        return (ids, quoted[1..^1].Replace("<0x0A>", "\n"));
    }
}
