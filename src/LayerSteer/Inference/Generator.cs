using LayerSteer.Models;
using LayerSteer.Tokenizers;

namespace LayerSteer.Inference;

/// <summary>One finished continuation: its ids, text (when a tokenizer is known) and why it stopped.</summary>
public sealed record Generation(int[] Ids, string? Text, string FinishReason);

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
        var rngs = Enumerable.Range(0, n).Select(i => new Random(o.Seed + i)).ToArray();
        var outIds = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        var reason = new string?[n];
        foreach (var p in prompts) if (p.Length == 0) throw new LayerSteerException("empty prompt: give at least one token");

        var eos = new HashSet<int>(model.Config.EosTokenIds);
        if (tokenizer?.EosId is int te) eos.Add(te);
        var active = Enumerable.Range(0, n).ToList();
        var feed = prompts.ToArray();
        for (int step = 0; step < o.MaxNewTokens && active.Count > 0; step++)
        {
            var logits = model.Forward(Enumerable.Range(0, n).Select(i => active.Contains(i) ? feed[i] : []).ToArray(), caches, hook);
            var next = new List<int>();
            for (int a = 0; a < active.Count; a++)
            {
                int s = active[a];
                int tok = Sampler.Pick(logits.AsSpan(a * model.Vocab, model.Vocab), o, rngs[s]);
                if (o.StopAtEos && eos.Contains(tok)) { reason[s] = "eos"; continue; }
                outIds[s].Add(tok);
                onToken?.Invoke(s, tok);
                if (o.StopStrings.Length > 0 && o.StopStrings.Any(tokenizer!.Decode(outIds[s]).Contains)) { reason[s] = "stop"; continue; }
                feed[s] = [tok];
                next.Add(s);
            }
            active = next;
        }
        return Enumerable.Range(0, n).Select(s =>
        {
            string? text = tokenizer?.Decode(outIds[s], skipSpecialTokens: true);
            if (text != null && reason[s] == "stop")
                text = text[..o.StopStrings.Where(text.Contains).Min(text.IndexOf)];
            return new Generation(outIds[s].ToArray(), text, reason[s] ?? "length");
        }).ToArray();
    }
}
