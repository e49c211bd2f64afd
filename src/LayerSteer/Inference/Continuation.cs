using LayerSteer.Tokenizers;

namespace LayerSteer.Inference;

/// <summary>Log-probability of one chosen token and (when asked for) the most likely alternatives at its step.</summary>
public sealed record TokenLogProb(int Id, float LogProb, (int Id, float LogProb)[] Top);

/// <summary>One sequence being continued, one token per step: its sampler stream, the ids chosen so far and why it
/// stopped (EOS, a stop string, or its token budget). <see cref="Generator"/> and <see cref="BatchScheduler"/> share it, so a
/// sequence decides the same way alone or in a batch.</summary>
public sealed class Continuation(SamplingOptions o, ITokenizer? tokenizer, IReadOnlySet<int> eos, int seed)
{
    readonly Random _rng = new(seed);
    readonly List<int> _ids = [];
    readonly List<TokenLogProb>? _logProbs = o.LogProbs is null ? null : [];

    public SamplingOptions Options => o;
    public IReadOnlyList<int> Ids => _ids;
    /// <summary>"eos", "stop", "length", or null while running.</summary>
    public string? Reason { get; private set; }
    public bool Done => Reason != null;
    /// <summary>The last token chosen (the next one to feed).</summary>
    public int Last => _ids[^1];

    /// <summary>The EOS ids of a model: config.json's eos_token_id, the tokenizer's, and any <paramref name="more"/>
    /// (generation_config.json's, <see cref="GenerationConfig"/>).</summary>
    public static HashSet<int> EosIds(Models.Transformer model, ITokenizer? tokenizer, IEnumerable<int>? more = null)
    {
        var eos = new HashSet<int>(model.Config.EosTokenIds.Concat(more ?? []));
        if (tokenizer?.EosId is int te) eos.Add(te);
        return eos;
    }

    /// <summary>Chooses the next token from this sequence's row of logits; returns it when it was appended (EOS is not), and
    /// marks the sequence done on EOS, a stop string or the token budget.</summary>
    public int? Step(ReadOnlySpan<float> logits)
    {
        int tok = Sampler.Pick(logits, o, _rng);
        if (o.StopAtEos && eos.Contains(tok)) { Reason = "eos"; return null; }
        _ids.Add(tok);
        if (o.LogProbs is int top) _logProbs!.Add(Sampler.LogProbs(logits, tok, top));
        if (o.StopStrings.Length > 0 && o.StopStrings.Any(tokenizer!.Decode(_ids).Contains)) Reason = "stop";
        else if (_ids.Count >= o.MaxNewTokens) Reason = "length";
        return tok;
    }

    /// <summary>Ends the sequence early (a caller gave up): it reports what it has.</summary>
    public void Stop(string reason) => Reason ??= reason;

    /// <summary>The text so far (special tokens skipped), cut before a stop string.</summary>
    public string? Text() => tokenizer?.Decode(_ids, skipSpecialTokens: true) is string text ? Visible(text, o.StopStrings, Reason) : null;

    /// <summary>The log-probability record of the last chosen token (when asked for).</summary>
    public TokenLogProb? LastLogProb => _logProbs is { Count: > 0 } l ? l[^1] : null;

    /// <summary>What a reader may see of decoded <paramref name="text"/>: cut before the stop string once stopped; while running,
    /// without a trailing incomplete character or a tail that could still grow into a stop string.</summary>
    public static string Visible(string text, string[] stops, string? reason)
    {
        if (reason == "stop") return stops.Any(text.Contains) ? text[..stops.Where(text.Contains).Min(text.IndexOf)] : text;
        if (reason != null) return text;
        int n = text.Length;
        if (n > 0 && text[^1] == '\uFFFD') n--;
        int hold = 0;
        foreach (var s in stops)
            for (int k = Math.Min(s.Length - 1, n); k > hold; k--)
                if (string.CompareOrdinal(text, n - k, s, 0, k) == 0) { hold = k; break; }
        return text[..(n - hold)];
    }

    public Generation Finish() => new(_ids.ToArray(), Text(), Reason ?? "length") { LogProbs = _logProbs?.ToArray() };
}
