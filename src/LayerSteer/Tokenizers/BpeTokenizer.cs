namespace LayerSteer.Tokenizers;

/// <summary>A Hugging Face-style BPE tokenizer: added tokens → normalizer → pre-tokenizer → BPE → post-processor, and a decoder back.</summary>
public sealed class BpeTokenizer : ITokenizer
{
    readonly Bpe model;
    readonly AddedVocabulary added;
    readonly INormalizer? normalizer;
    readonly IPreTokenizer? preTokenizer;
    readonly PostProcessor postProcessor;
    readonly IDecoder? decoder;
    readonly string?[] tokens;
    readonly HashSet<int> special;

    public BpeTokenizer(Bpe model, IEnumerable<AddedToken> addedTokens, INormalizer? normalizer, IPreTokenizer? preTokenizer,
        PostProcessor postProcessor, IDecoder? decoder, int? bosId, int? eosId)
    {
        this.model = model;
        added = new AddedVocabulary(addedTokens);
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.postProcessor = postProcessor;
        this.decoder = decoder;
        int size = Math.Max(model.Vocab.Values.DefaultIfEmpty(-1).Max(), added.Tokens.Select(t => t.Id).DefaultIfEmpty(-1).Max()) + 1;
        tokens = new string?[size];
        foreach (var (text, id) in model.Vocab) tokens[id] ??= text;
        foreach (var t in added.Tokens) tokens[t.Id] = t.Content;
        special = added.Tokens.Where(t => t.Special).Select(t => t.Id).ToHashSet();
        BosId = bosId;
        EosId = eosId;
    }

    public int VocabSize => tokens.Length;
    public int? BosId { get; }
    public int? EosId { get; }

    /// <summary>The id of a vocabulary or added token string, or null.</summary>
    public int? IdOf(string token) => IdOf(token, model, added.Tokens);

    internal static int? IdOf(string? token, Bpe model, IEnumerable<AddedToken> added) => token is null ? null
        : added.FirstOrDefault(t => t.Content == token)?.Id ?? (model.Vocab.TryGetValue(token, out int id) ? id : null);

    /// <summary>Lone surrogates encode as U+FFFD, as in Hugging Face.</summary>
    public int[] Encode(string text, bool addSpecialTokens = true)
    {
        text = UnicodeText.Sanitize(text);
        var ids = new List<int>();
        if (addSpecialTokens) ids.AddRange(postProcessor.Prefix);
        var words = new List<string>();
        foreach (var segment in added.Split(text))
        {
            if (segment.Token is { } token) { ids.Add(token.Id); continue; }
            string piece = text.Substring(segment.Start, segment.Length);
            if (normalizer is not null) piece = normalizer.Normalize(piece);
            words.Clear();
            if (preTokenizer is null) words.Add(piece);
            else preTokenizer.PreTokenize(piece, segment.Start == 0, words);
            foreach (string word in words) model.Encode(word, ids);
        }
        if (addSpecialTokens) ids.AddRange(postProcessor.Suffix);
        return ids.ToArray();
    }

    /// <summary>Ids outside the vocabulary (e.g. a model's padded embedding rows) are skipped, as Hugging Face does.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var pieces = new List<string>();
        foreach (int id in ids)
        {
            if (id < 0 || id >= tokens.Length || tokens[id] is not { } t) continue;
            if (skipSpecialTokens && special.Contains(id)) continue;
            pieces.Add(t);
        }
        return decoder is null ? string.Join(" ", pieces) : string.Concat(decoder.Decode(pieces));
    }

    public string TokenText(int id) =>
        id >= 0 && id < tokens.Length && tokens[id] is { } t ? t
            : throw new LayerSteerException($"token id {id} is not in the tokenizer's vocabulary (size {VocabSize})");
}
