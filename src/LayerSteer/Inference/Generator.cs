using LayerSteer.Models;
using LayerSteer.Tokenizers;

namespace LayerSteer.Inference;

/// <summary>One finished continuation: its ids, text (when a tokenizer is known) and why it stopped.</summary>
public sealed record Generation(int[] Ids, string? Text, string FinishReason)
{
    /// <summary>Per chosen token, when <see cref="SamplingOptions.LogProbs"/> asked for them.</summary>
    public TokenLogProb[]? LogProbs { get; init; }
}

/// <summary>Batched autoregressive generation with KV caches: prompts of different lengths prefill together,
/// then every unfinished sequence advances one token per step.</summary>
public sealed class Generator(Transformer model, ITokenizer? tokenizer)
{
    /// <summary>Continues every prompt. <paramref name="hook"/> sees every forward pass (steering);
    /// <paramref name="onToken"/>(sequence, id) streams tokens as they are chosen; <paramref name="prefix"/> (raw embedding
    /// rows, a soft prompt) runs before every prompt.</summary>
    public Generation[] Generate(IReadOnlyList<int[]> prompts, SamplingOptions o, IActivationHook? hook = null, Action<int, int>? onToken = null,
        float[]? prefix = null)
    {
        if (o.StopStrings.Length > 0 && tokenizer == null) throw new LayerSteerException("stop strings need a tokenizer");
        int n = prompts.Count;
        int virtualTokens = prefix == null ? 0 : prefix.Length / model.Hidden;
        var caches = prompts.Select(p => model.NewCache(virtualTokens + p.Length + o.MaxNewTokens)).ToArray();
        if (prefix != null) model.PrefillVectors(prefix, caches, hook, prompts.Select(p => virtualTokens + p.Length).ToArray());
        foreach (var p in prompts) if (p.Length == 0) throw new LayerSteerException("empty prompt: give at least one token");

        var eos = Continuation.EosIds(model, tokenizer);
        var seqs = Enumerable.Range(0, n).Select(i => new Continuation(o, tokenizer, eos, o.Seed + i)).ToArray();
        var active = o.MaxNewTokens > 0 ? Enumerable.Range(0, n).ToList() : [];
        var feed = prompts.ToArray();
        var logits = new float[n * model.Vocab];   // one row per active sequence, reused every step
        while (active.Count > 0)
        {
            model.Forward(Enumerable.Range(0, n).Select(i => active.Contains(i) ? feed[i] : []).ToArray(), caches, logits.AsSpan(0, active.Count * model.Vocab), hook);
            for (int a = 0; a < active.Count; a++)
            {
                int s = active[a];
                if (seqs[s].Step(logits.AsSpan(a * model.Vocab, model.Vocab)) is int tok) { onToken?.Invoke(s, tok); feed[s] = [tok]; }
            }
            active = active.Where(s => !seqs[s].Done).ToList();
        }
        return seqs.Select(s => s.Finish()).ToArray();
    }
}
