namespace LayerSteer.Tokenizers;

/// <summary>Text ↔ token ids, as the model was trained to see them.</summary>
public interface ITokenizer
{
    int VocabSize { get; }
    int? BosId { get; }
    int? EosId { get; }

    /// <summary>Ids of <paramref name="text"/>; with <paramref name="addSpecialTokens"/> the
    /// post-processor's tokens (e.g. BOS) are added as the model expects at a document start.</summary>
    int[] Encode(string text, bool addSpecialTokens = true);

    /// <summary>Text of <paramref name="ids"/>; special tokens are dropped when <paramref name="skipSpecialTokens"/>.</summary>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false);

    /// <summary>The vocabulary string of one id (e.g. "Ġcold", "&lt;0x0A&gt;"), for tables and debugging.</summary>
    string TokenText(int id);
}
