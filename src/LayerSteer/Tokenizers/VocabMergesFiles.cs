using System.Text;

namespace LayerSteer.Tokenizers;

/// <summary>Loads a byte-level BPE from vocab.json + merges.txt (+ tokenizer_config.json beside them): GPT-2 style, or Qwen2 when the config says so.</summary>
public static class VocabMergesFiles
{
    public const string VocabFile = "vocab.json", MergesFile = "merges.txt";

    public static BpeTokenizer Load(string vocabPath, string mergesPath)
    {
        foreach (string p in new[] { vocabPath, mergesPath })
            if (!File.Exists(p)) throw LayerSteerException.InFile(p, "file not found");
        Dictionary<string, int> vocab;
        using (var doc = JsonFields.Parse(vocabPath)) vocab = BpeVocab.Read(doc.RootElement, "vocab.json", vocabPath);
        var merges = BpeVocab.Merges(MergeLines(mergesPath), vocab, mergesPath);
        var model = new Bpe(vocab, merges);

        var config = TokenizerConfig.LoadFrom(Path.GetDirectoryName(Path.GetFullPath(vocabPath))!) ?? new TokenizerConfig();
        // The slow tokenizers treat their named special tokens as unsplittable even when they sit in vocab.json (GPT-2's <|endoftext|>).
        var added = config.AddedTokens.ToList();
        foreach (string? name in new[] { config.BosToken, config.EosToken, config.UnkToken, config.PadToken })
            if (name is not null && added.All(t => t.Content != name) && vocab.TryGetValue(name, out int id))
                added.Add(new AddedToken(id, name, Special: true));
        int? bos = BpeTokenizer.IdOf(config.BosToken, model, added);
        int? eos = BpeTokenizer.IdOf(config.EosToken, model, added);
        var post = new PostProcessor(config.AddBosToken && bos is int b ? [b] : [], config.AddEosToken && eos is int e ? [e] : []);

        bool qwen2 = config.TokenizerClass is "Qwen2Tokenizer" or "Qwen2TokenizerFast";
        INormalizer? normalizer = qwen2 ? new UnicodeNormalizer(NormalizationForm.FormC) : null;
        IPreTokenizer pre = qwen2
            ? new SequencePreTokenizer([new SplitPreTokenizer(new TokenRegex(TokenRegex.Qwen2), SplitBehavior.Isolated, invert: false), new ByteLevelPreTokenizer(false, useRegex: false)])
            : new ByteLevelPreTokenizer(config.AddPrefixSpace, useRegex: true);
        return new BpeTokenizer(model, added, normalizer, pre, post, new ByteLevelDecoder(), bos, eos);
    }

    // One "left right" merge per line, in rank order, in UTF-8 (Hugging Face rejects anything else); an optional
    // "#version" first line and blank lines are skipped.
    static IEnumerable<(string, string, string)> MergeLines(string path)
    {
        foreach (var (n, line) in Utf8Lines.Read(path))
        {
            if (line.Length == 0 || (n == 1 && line.StartsWith("#version", StringComparison.Ordinal))) continue;
            yield return BpeVocab.SplitMerge(line, $"line {n}", path);
        }
    }
}
