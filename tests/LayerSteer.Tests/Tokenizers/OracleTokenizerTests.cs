using System.Diagnostics;
using System.Text.Json;
using LayerSteer.Tests.Support;
using LayerSteer.Tokenizers;
using Xunit.Abstractions;

namespace LayerSteer.Tests.Tokenizers;

/// <summary>The real tokenizers in ../shared/tokenizers against Hugging Face tokenizers' own ids and decodes (oracle.jsonl).</summary>
public class OracleTokenizerTests(ITestOutputHelper output)
{
    /// <summary>One oracle.jsonl line: HF's encode with and without special tokens, and decode(ids_no_special).</summary>
    public sealed record OracleLine(int Line, string Text, int[] Ids, int[] IdsNoSpecial, string Decoded);

    public static TheoryData<string> WithOracle => new() { "llama3", "gemma3", "qwen3", "llama2", "deepseek_v3" };

    public static List<OracleLine> ReadOracle(string name)
    {
        var lines = new List<OracleLine>();
        int n = 0;
        foreach (string raw in File.ReadLines(Shared.Path("tokenizers", name, "oracle.jsonl")))
        {
            n++;
            using var doc = JsonDocument.Parse(raw);
            var j = doc.RootElement;
            static int[] Ids(JsonElement a) => a.EnumerateArray().Select(e => e.GetInt32()).ToArray();
            lines.Add(new OracleLine(n, j.GetProperty("text").GetString()!, Ids(j.GetProperty("ids")),
                Ids(j.GetProperty("ids_no_special")), j.GetProperty("decoded").GetString()!));
        }
        return lines;
    }

    [SharedTheory]
    [MemberData(nameof(WithOracle))]
    public void Every_oracle_line_gives_huggingfaces_ids_and_decode(string name)
    {
        // Loaded as a user would: the folder alone, no flags.
        var tok = TokenizerLoader.Load(Shared.Path("tokenizers", name));
        var oracle = ReadOracle(name);
        Assert.Equal(443, oracle.Count);
        var wrong = new List<string>();
        foreach (var o in oracle)
        {
            int[] ids = tok.Encode(o.Text), plain = tok.Encode(o.Text, addSpecialTokens: false);
            string decoded = tok.Decode(o.IdsNoSpecial);
            if (!ids.SequenceEqual(o.Ids)) wrong.Add($"line {o.Line} ids: [{string.Join(",", ids)}] want [{string.Join(",", o.Ids)}]");
            if (!plain.SequenceEqual(o.IdsNoSpecial)) wrong.Add($"line {o.Line} ids_no_special: [{string.Join(",", plain)}] want [{string.Join(",", o.IdsNoSpecial)}]");
            if (decoded != o.Decoded) wrong.Add($"line {o.Line} decoded: {JsonSerializer.Serialize(decoded)} want {JsonSerializer.Serialize(o.Decoded)}");
        }
        output.WriteLine($"{name}: {wrong.Count} mismatches over {oracle.Count} lines × 3 checks");
        foreach (string w in wrong.Take(20)) output.WriteLine(w);
        Assert.True(wrong.Count == 0, $"{name}: {wrong.Count} mismatches, first: {wrong.FirstOrDefault()}");
    }

    /// <summary>chat_oracle.jsonl: chat templates rendered to text, and HF's ids of that text without added special tokens.</summary>
    [SharedTheory]
    [InlineData("llama3"), InlineData("gemma3"), InlineData("qwen3"), InlineData("deepseek_v3")]
    public void Rendered_chats_give_huggingfaces_ids(string name)
    {
        var tok = TokenizerLoader.Load(Shared.Path("tokenizers", name));
        int n = 0;
        foreach (string raw in File.ReadLines(Shared.Path("tokenizers", name, "chat_oracle.jsonl")))
        {
            n++;
            using var doc = JsonDocument.Parse(raw);
            var j = doc.RootElement;
            int[] want = j.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.True(want.SequenceEqual(tok.Encode(j.GetProperty("rendered").GetString()!, addSpecialTokens: false)), $"{name} chat line {n}");
        }
        Assert.True(n > 0);
    }

    /// <summary>Qwen2.5's vocab.json + merges.txt are Qwen 3's vocabulary and merges (same NFC and word regex), so they must
    /// give Qwen 3's oracle on every line but those with tokens only Qwen 3 adds (&lt;think&gt;, &lt;tool_response&gt;, ids ≥ 151665).</summary>
    [SharedFact]
    public void Qwen25_vocab_and_merges_give_qwen3s_oracle()
    {
        var tok = TokenizerLoader.Load(Shared.Path("tokenizers", "qwen2.5"));
        var lines = ReadOracle("qwen3").Where(o => o.Ids.All(id => id < 151665)).ToList();
        Assert.True(lines.Count >= 440, $"only {lines.Count} lines");
        foreach (var o in lines)
        {
            Assert.True(o.Ids.SequenceEqual(tok.Encode(o.Text)), $"line {o.Line}");
            Assert.True(o.IdsNoSpecial.SequenceEqual(tok.Encode(o.Text, addSpecialTokens: false)), $"line {o.Line}");
            Assert.Equal(o.Decoded, tok.Decode(o.IdsNoSpecial));
        }
    }

    /// <summary>Prints the time to encode the 443 texts (both modes), best of 5 after a warm-up; bounded so a pathological slowdown fails.</summary>
    [SharedTheory]
    [MemberData(nameof(WithOracle))]
    public void Encoding_the_oracle_texts_is_fast(string name)
    {
        var tok = TokenizerLoader.Load(Shared.Path("tokenizers", name));
        string[] texts = ReadOracle(name).Select(o => o.Text).ToArray();
        long tokens = 0;
        var cold = Stopwatch.StartNew(); // the word cache starts empty
        foreach (string t in texts) tokens += tok.Encode(t).Length;
        cold.Stop();
        double best = double.MaxValue;
        for (int rep = 0; rep < 5; rep++)
        {
            var watch = Stopwatch.StartNew();
            foreach (string t in texts) { tok.Encode(t); tok.Encode(t, addSpecialTokens: false); }
            best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
        }
        output.WriteLine($"{name}: {texts.Length} texts × 2 modes ({tokens} tokens) in {best:F1} ms (best of 5; first pass, one mode, {cold.Elapsed.TotalMilliseconds:F1} ms)");
        Assert.True(best < 2000, $"{name}: {best:F0} ms");
    }
}
