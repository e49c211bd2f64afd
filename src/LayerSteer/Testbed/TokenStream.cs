using LayerSteer.Tokenizers;

namespace LayerSteer.Testbed;

/// <summary>The corpus as one token stream (each document BOS-prefixed, epoch after epoch), cut into training sequences of
/// length+1 tokens that overlap by one, so every token is a target exactly once. Deterministic: sequence i is always the same.</summary>
public sealed class TokenStream(Corpus corpus, ITokenizer tokenizer, int length)
{
    readonly List<int> _buf = [];
    int _next, _epoch;
    public int Epoch => _epoch;

    public int[] Next()
    {
        while (_buf.Count - _next < length + 1)
        {
            if (_next > 0) { _buf.RemoveRange(0, _next); _next = 0; }
            foreach (var doc in corpus.Epoch(_epoch)) _buf.AddRange(tokenizer.Encode(doc, addSpecialTokens: true));
            _epoch++;
        }
        var seq = _buf.GetRange(_next, length + 1).ToArray();
        _next += length;
        return seq;
    }

    /// <summary>Skips <paramref name="count"/> sequences (a resumed run continues where the interrupted one stopped).</summary>
    public void Skip(long count) { for (long i = 0; i < count; i++) Next(); }
}
