using System.CommandLine;
using LayerSteer.Hub;
using LayerSteer.Tokenizers;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer tokenize`: a text's ids and pieces, a JSONL file's, or the text of ids; loads no weights.</summary>
public static class TokenizeCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model(defaulted: false);
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Tokenizer folder (tokenizer.json, vocab.json + merges.txt, or tokenizer.bin) or one such file" };
        var text = new Option<string?>("--text") { Description = "Text to encode" };
        var jsonl = new Option<string?>("--jsonl") { Description = "File of {\"text\": ...} lines to encode, one JSON line out per line in" };
        var decode = new Option<string?>("--decode") { Description = "Comma-separated ids to decode, e.g. 1,2,3" };
        var noSpecial = new Option<bool>("--no-special") { Description = "Encode without the special tokens the tokenizer adds (e.g. BOS); with --decode, drop special tokens" };
        var cmd = new Command("tokenize",
            "Encode text with a model's tokenizer. --text prints two lines: `ids: 1,2,3` and `pieces: \"<s>\" \"▁Hello\"` (each id's " +
            "vocabulary string, JSON-quoted); --jsonl prints {\"ids\": [...], \"pieces\": [...]} per input line; --decode prints the text.")
            { model, tokenizer, text, jsonl, decode, noSpecial };
        cmd.SetAction(pr =>
        {
            string? m = pr.GetValue(model), dir = pr.GetValue(tokenizer), t = pr.GetValue(text), f = pr.GetValue(jsonl), d = pr.GetValue(decode);
            if ((m is null) == (dir is null)) throw new LayerSteerException("give exactly one of --model and --tokenizer");
            if (new[] { t, f, d }.Count(v => v is not null) != 1) throw new LayerSteerException("give exactly one of --text, --jsonl and --decode");
            var tok = m is not null ? TokenizerLoader.ForModel(ModelResolver.Resolve(m))
                : File.Exists(dir) ? TokenizerLoader.LoadFile(dir!) : TokenizerLoader.Load(dir!);
            bool special = !pr.GetValue(noSpecial);
            var output = pr.InvocationConfiguration.Output;
            if (t is not null) output.WriteLine(Tokenization.Of(tok, t, special).ToText());
            else if (d is not null) output.WriteLine(tok.Decode(TokenIdList.Parse(d, tok.VocabSize, "--decode"), skipSpecialTokens: !special));
            else foreach (string line in Tokenization.ReadJsonl(f!)) output.WriteLine(Tokenization.Of(tok, line, special).ToJsonLine());
            return 0;
        });
        return cmd;
    }
}
