using LayerSteer.Intervention;
using LayerSteer.Tokenizers;
using LayerSteer.Training;

namespace LayerSteer.Tasks;

/// <summary>Turns pairs into token ids with a template: prompt ids (with BOS etc.) and the target ids that follow them.</summary>
public sealed class TaskEncoder(ITokenizer tokenizer, PromptTemplate template)
{
    public ITokenizer Tokenizer => tokenizer;
    public PromptTemplate Template => template;

    /// <summary>Prompt ids for x (k-shot when demos are given).</summary>
    public int[] Prompt(string x, IReadOnlyList<Pair>? demos = null) => tokenizer.Encode(template.Prompt(x, demos));

    /// <summary>Target ids as the model would see them after the prompt: encode prompt+target jointly and take what
    /// follows the prompt's ids (SentencePiece's dummy prefix would otherwise change them); separately if that fails.</summary>
    public int[] Target(int[] promptIds, string promptText, string y)
    {
        string t = template.Target(y);
        var joint = tokenizer.Encode(promptText + t);
        if (joint.Length > promptIds.Length && joint.AsSpan(0, promptIds.Length).SequenceEqual(promptIds)) return joint[promptIds.Length..];
        return tokenizer.Encode(t, addSpecialTokens: false);
    }

    /// <summary>A training example for the Δ fit: zero-shot prompt of x and target ids of y.</summary>
    public Example Example(Pair p)
    {
        var ids = Prompt(p.Input);
        return new Example(ids, Target(ids, template.Prompt(p.Input), p.Output));
    }
}
