using LayerSteer.Tokenizers;

namespace LayerSteer.Cli;

/// <summary>Turns a stream of token ids into printable text deltas, holding back incomplete UTF-8 sequences.</summary>
public sealed class TextStream(ITokenizer? tokenizer)
{
    readonly List<int> _ids = [];
    int _printed;

    public string Push(int id)
    {
        _ids.Add(id);
        if (tokenizer == null) return $"[{id}]";
        string text = tokenizer.Decode(_ids, skipSpecialTokens: true);
        if (text.EndsWith('\uFFFD') || text.Length < _printed) return "";   // wait for the rest of a multi-byte character
        string delta = text[_printed..];
        _printed = text.Length;
        return delta;
    }

    public string Flush()
    {
        if (tokenizer == null) return "";
        string text = tokenizer.Decode(_ids, skipSpecialTokens: true);
        return text.Length > _printed ? text[_printed..] : "";
    }
}
