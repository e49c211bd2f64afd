using LayerSteer.Tokenizers;

namespace LayerSteer.Tests.Tokenizers;

public class PreTokenizerTests
{
    static List<string> Words(IPreTokenizer p, string text, bool atStart = true)
    {
        var words = new List<string>();
        p.PreTokenize(text, atStart, words);
        return words;
    }

    static SplitPreTokenizer Dash(SplitBehavior b, bool invert = false) => new(new TokenRegex("-"), b, invert);

    // The examples of the Hugging Face tokenizers documentation for SplitDelimiterBehavior.
    [Theory]
    [InlineData(SplitBehavior.Removed, "the|final|countdown")]
    [InlineData(SplitBehavior.Isolated, "the|-|final|-|-|countdown")]
    [InlineData(SplitBehavior.MergedWithPrevious, "the-|final-|-|countdown")]
    [InlineData(SplitBehavior.MergedWithNext, "the|-final|-|-countdown")]
    [InlineData(SplitBehavior.Contiguous, "the|-|final|--|countdown")]
    public void Split_behaviors(SplitBehavior behavior, string expected) =>
        Assert.Equal(expected.Split('|'), Words(Dash(behavior), "the-final--countdown"));

    [Fact]
    public void Inverted_split_keeps_the_matches_as_words() =>
        Assert.Equal(["the", "final", "countdown"], Words(new SplitPreTokenizer(new TokenRegex(@"\p{L}+"), SplitBehavior.Removed, invert: true), "the-final--countdown"));

    [Fact]
    public void Gpt2_regex_words()
    {
        var p = new SplitPreTokenizer(new TokenRegex(TokenRegex.Gpt2), SplitBehavior.Isolated, false);
        Assert.Equal(["Hello", ",", " world", "'s", "  ", " 123", "!!", "\n"], Words(p, "Hello, world's   123!!\n"));
    }

    [Fact]
    public void Astral_letters_count_as_letters()
    {
        var p = new SplitPreTokenizer(new TokenRegex(TokenRegex.Gpt2), SplitBehavior.Isolated, false);
        Assert.Equal(["a𝐀b", " 𠀀"], Words(p, "a𝐀b 𠀀"));   // U+1D400 (Lu), U+20000 (Lo)
        Assert.Equal(["!", "𝐀"], Words(p, "!𝐀"));          // a UTF-16 regex would read "!𝐀" as one run of symbols
        Assert.Equal(["😀!"], Words(p, "😀!"));            // emoji stay symbols
    }

    [Fact]
    public void Qwen2_regex_splits_digits_and_keeps_newlines_after_punctuation()
    {
        var p = new SplitPreTokenizer(new TokenRegex(TokenRegex.Qwen2), SplitBehavior.Isolated, false);
        Assert.Equal(["lower", " lower", " newer", " ", "0", "1", "0", ";}\n", "I", "'VE"], Words(p, "lower lower newer 010;}\nI'VE"));
    }

    [Fact]
    public void Byte_level_maps_bytes_and_adds_a_prefix_space()
    {
        Assert.Equal(["Ġhi", "Ġthere", "Ċ"], Words(new ByteLevelPreTokenizer(addPrefixSpace: true, useRegex: true), "hi there\n"));
        Assert.Equal(["hiĠthereĊ"], Words(new ByteLevelPreTokenizer(addPrefixSpace: false, useRegex: false), "hi there\n"));
        Assert.Equal(["Ã©"], Words(new ByteLevelPreTokenizer(false, false), "é")); // C3 A9
    }

    [Fact]
    public void Metaspace_prepend_schemes()
    {
        var always = new MetaspacePreTokenizer("▁", PrependScheme.Always, split: true);
        Assert.Equal(["▁Hey", "▁", "▁", "▁friend!"], Words(always, "Hey   friend!"));
        Assert.Equal(["▁Hey"], Words(always, "Hey", atStart: false));
        var first = new MetaspacePreTokenizer("▁", PrependScheme.First, split: false);
        Assert.Equal(["▁Hey▁my"], Words(first, "Hey my"));
        Assert.Equal(["how▁are"], Words(first, "how are", atStart: false));
        Assert.Equal(["▁Hey"], Words(first, " Hey")); // already starts with ▁: nothing prepended
        var never = new MetaspacePreTokenizer("▁", PrependScheme.Never, split: true);
        Assert.Equal(["Hey", "▁you"], Words(never, "Hey you"));
    }

    [Fact]
    public void Sequence_feeds_each_word_to_the_next_step()
    {
        var seq = new SequencePreTokenizer([
            new SplitPreTokenizer(new TokenRegex(TokenRegex.Qwen2), SplitBehavior.Isolated, false),
            new ByteLevelPreTokenizer(false, useRegex: false)]);
        Assert.Equal(["Hello", "Ġ", "1", "2"], Words(seq, "Hello 12"));
    }
}
