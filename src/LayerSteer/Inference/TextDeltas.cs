using LayerSteer.Tokenizers;

namespace LayerSteer.Inference;

/// <summary>Turns a streamed sequence's token ids into the text deltas a reader may see (<see cref="Continuation.Visible"/>:
/// no half characters, nothing of a stop string).</summary>
public sealed class TextDeltas(ITokenizer tokenizer, string[] stops)
{
    readonly List<int> _ids = [];
    int _sent;

    /// <summary>The new visible text after token <paramref name="id"/> (null: none this step) with the sequence's finish
    /// <paramref name="reason"/> (null while running).</summary>
    public string Push(int? id, string? reason)
    {
        if (id is int t) _ids.Add(t);
        string text = Continuation.Visible(tokenizer.Decode(_ids, skipSpecialTokens: true), stops, reason);
        if (text.Length <= _sent) return "";
        string delta = text[_sent..];
        _sent = text.Length;
        return delta;
    }
}
