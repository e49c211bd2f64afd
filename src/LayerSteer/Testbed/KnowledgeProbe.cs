using LayerSteer.Inference;
using LayerSteer.Models;
using LayerSteer.Tasks;
using LayerSteer.Tokenizers;

namespace LayerSteer.Testbed;

/// <summary>Which taught facts a model knows: greedy completion of the fact's held-back template cut before y
/// ("the opposite of hot is" → " cold.") must give y (the exact-match rule of the evaluation).</summary>
public static class KnowledgeProbe
{
    const int BatchSize = 128;

    /// <summary>Per fact, whether the model completes it.</summary>
    public static bool[] Run(Transformer model, ITokenizer tok, IReadOnlyList<Fact> facts)
    {
        var known = new bool[facts.Count];
        var gen = new Generator(model, tok);
        for (int b0 = 0; b0 < facts.Count; b0 += BatchSize)
        {
            var batch = facts.Skip(b0).Take(BatchSize).ToArray();
            var prompts = batch.Select(f => tok.Encode(Relation.ProbePrompt(f.HeldBack, f.X))).ToArray();
            int max = batch.Max(f => tok.Encode(" " + f.Y + ".", addSpecialTokens: false).Length);
            var outs = gen.Generate(prompts, new SamplingOptions { Greedy = true, MaxNewTokens = max });
            for (int i = 0; i < batch.Length; i++) known[b0 + i] = Scoring.ExactMatch(outs[i].Text ?? "", batch[i].Y);
        }
        return known;
    }
}
