using System.Text.Json;
using LayerSteer.Tests.Support;
using LayerSteer.Tests.Tokenizers;
using LayerSteer.Tokenizers;

namespace LayerSteer.Tests.Cli;

/// <summary>`layersteer tokenize` through the real binary, checked against Hugging Face's oracle ids.</summary>
public class TokenizeCommandTests
{
    static string Tokenizer(string name) => Shared.Path("tokenizers", name);

    static string[] Lines(CliProcess.Result r)
    {
        Assert.True(r.Exit == 0, r.Stderr);
        return r.Stdout.TrimEnd('\n').Split('\n');
    }

    [SharedTheory]
    [InlineData("llama2", 12)]
    [InlineData("qwen3", 300)]
    [InlineData("gemma3", 441)]
    public void Text_prints_huggingfaces_ids_and_their_pieces(string name, int line)
    {
        var o = OracleTokenizerTests.ReadOracle(name)[line - 1];
        var tok = TokenizerLoader.Load(Tokenizer(name));
        string[] lines = Lines(CliProcess.Run("tokenize", "--tokenizer", Tokenizer(name), "--text", o.Text));
        Assert.Equal(2, lines.Length);
        Assert.Equal("ids: " + string.Join(",", o.Ids), lines[0]);
        Assert.Equal("pieces: " + string.Join(" ", o.Ids.Select(id => Tokenization.Quote(tok.TokenText(id)))), lines[1]);

        string[] plain = Lines(CliProcess.Run("tokenize", "--tokenizer", Tokenizer(name), "--text", o.Text, "--no-special"));
        Assert.Equal("ids: " + string.Join(",", o.IdsNoSpecial), plain[0]);
    }

    [SharedFact]
    public void Pieces_are_quoted_json_strings_shown_as_written()
    {
        string[] lines = Lines(CliProcess.Run("tokenize", "--tokenizer", Tokenizer("llama2"), "--text", "say \"hi\"\n😀", "--no-special"));
        var pieces = JsonSerializer.Deserialize<string[]>("[" + string.Join(",", lines[1]["pieces: ".Length..].Split(' ')) + "]")!;
        var tok = TokenizerLoader.Load(Tokenizer("llama2"));
        Assert.Equal(tok.Encode("say \"hi\"\n😀", addSpecialTokens: false).Select(tok.TokenText), pieces);
        Assert.Contains("😀", lines[1]);
        Assert.Contains("\"<0x0A>\"", lines[1]);
    }

    [SharedFact]
    public void Jsonl_prints_one_json_line_per_input_and_a_bad_line_is_a_one_line_error()
    {
        using var tmp = new TempDir();
        var oracle = OracleTokenizerTests.ReadOracle("qwen3");
        string file = tmp.File("texts.jsonl");
        // A lone surrogate escape reads as in Python's json and encodes as U+FFFD (5691), as Hugging Face does.
        File.WriteAllText(file, $"{{\"text\": {JsonSerializer.Serialize(oracle[0].Text)}}}\n\n{{\"text\": \"a\\ud83d\"}}\n{{\"text\": {JsonSerializer.Serialize(oracle[200].Text)}, \"id\": 3}}\n");
        string[] lines = Lines(CliProcess.Run("tokenize", "--tokenizer", Tokenizer("qwen3"), "--jsonl", file));
        Assert.Equal(3, lines.Length);
        int[][] ids = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray();
        Assert.Equal(oracle[0].Ids, ids[0]);
        Assert.Equal([64, 5691], ids[1]);
        Assert.Equal(oracle[200].Ids, ids[2]);
        Assert.All(lines, l => Assert.Equal(JsonDocument.Parse(l).RootElement.GetProperty("ids").GetArrayLength(), JsonDocument.Parse(l).RootElement.GetProperty("pieces").GetArrayLength()));

        File.AppendAllText(file, "{\"text\": \"fine\"}\n{\"text\": \"unterminated}\n");
        var bad = CliProcess.Run("tokenize", "--tokenizer", Tokenizer("qwen3"), "--jsonl", file);
        Assert.Equal(1, bad.Exit);
        Assert.StartsWith($"error: {file}: line 6 is not valid JSON", bad.Stderr.Trim());
        Assert.Single(bad.Stderr.Trim().Split('\n'));
        Assert.Equal(4, bad.Stdout.TrimEnd('\n').Split('\n').Length); // the good lines before it were printed
    }

    [SharedFact]
    public void Decode_prints_huggingfaces_text()
    {
        var o = OracleTokenizerTests.ReadOracle("gemma3")[440];
        string decoded = CliProcess.Run("tokenize", "--tokenizer", Tokenizer("gemma3"), "--decode", string.Join(",", o.IdsNoSpecial)).Stdout;
        Assert.Equal(o.Decoded + "\n", decoded);
        var skipped = CliProcess.Run("tokenize", "--tokenizer", Tokenizer("qwen3"), "--decode", "151644,14990,151645", "--no-special");
        Assert.Equal("hello\n", skipped.Stdout);
    }

    /// <summary>--model reads only the tokenizer: a model folder whose weights are garbage still tokenizes (info cannot open it).</summary>
    [SharedFact]
    public void Model_loads_the_tokenizer_without_the_weights()
    {
        using var tmp = new TempDir();
        string ww = Shared.Model("wordworld-v1");
        foreach (string f in new[] { "config.json", "tokenizer.json" }) File.Copy(Path.Combine(ww, f), tmp.File(f));
        File.WriteAllText(tmp.File("model.safetensors"), "not a safetensors file");
        Assert.Equal(1, CliProcess.Run("info", "--model", tmp.Path).Exit);
        Assert.Equal("ids: 0,72,416", Lines(CliProcess.Run("tokenize", "--model", tmp.Path, "--text", "hot"))[0]);

        // A llama2.c checkpoint: its tok512.bin beside it.
        var tok = TokenizerLoader.Load(Shared.Model("stories260K"));
        string[] lines = Lines(CliProcess.Run("tokenize", "--model", Shared.Path("models", "stories260K", "stories260K.bin"), "--text", "Once upon a time"));
        Assert.Equal("ids: " + string.Join(",", tok.Encode("Once upon a time")), lines[0]);
    }

    [SharedTheory]
    [InlineData("give exactly one of --model and --tokenizer", "--text", "x")]
    [InlineData("give exactly one of --text, --jsonl and --decode", "--tokenizer", "TOK")]
    [InlineData("give exactly one of --text, --jsonl and --decode", "--tokenizer", "TOK", "--text", "x", "--decode", "1")]
    [InlineData("--decode: \"-1\" is not a token id in 0..128255", "--tokenizer", "TOK", "--decode", "1,-1")]
    [InlineData("--decode: \"x\" is not a token id", "--tokenizer", "TOK", "--decode", "x")]
    [InlineData("no tokenizer found", "--tokenizer", "EMPTY", "--text", "x")]
    [InlineData("file not found", "--tokenizer", "TOK", "--jsonl", "EMPTY/none.jsonl")]
    public void Bad_arguments_are_one_line_errors(string message, params string[] args)
    {
        using var tmp = new TempDir();
        string[] a = args.Select(s => s == "TOK" ? Tokenizer("llama3") : s.Replace("EMPTY", tmp.Path)).ToArray();
        var r = CliProcess.Run(["tokenize", .. a]);
        Assert.Equal(1, r.Exit);
        Assert.StartsWith("error: ", r.Stderr.Trim());
        Assert.Contains(message, r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }
}
