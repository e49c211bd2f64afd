using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using LayerSteer.Chat;
using LayerSteer.Inference;
using LayerSteer.Tokenizers;
using Microsoft.AspNetCore.Http;
using TemplateMessage = LayerSteer.ChatTemplates.ChatMessage;
using ContentPart = LayerSteer.ChatTemplates.ContentPart;

namespace LayerSteer.Server;

/// <summary>POST /v1/completions and /v1/chat/completions: parse and check the request, queue one sequence per (prompt,
/// choice) on the scheduler, answer with JSON or server-sent events.</summary>
public sealed class GenerationEndpoints(Serving s)
{
    const int MaxChoices = 16, MaxStops = 4, MaxCompletionLogProbs = 5, MaxChatTopLogProbs = 20;
    static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool"];

    /// <summary>A request, checked: prompts as ids, sampling, choices per prompt, steering, how to answer.</summary>
    sealed record Parsed(int[][] Prompts, SamplingOptions Sampling, int N, long? Seed, bool Stream, bool IncludeUsage, SteeringSpec Steering);

    public async Task Completions(HttpContext ctx, JsonArgs body)
    {
        foreach (var unsupported in new[] { "suffix", "best_of" })
            if (body.Get(unsupported) is not null) throw ApiError.BadRequest($"{unsupported} is not supported by this server", unsupported);
        if (body.Bool("echo") == true) throw ApiError.BadRequest("echo is not supported by this server", "echo");
        int? logprobs = body.Int("logprobs", 0, MaxCompletionLogProbs);
        var p = Parse(body, CompletionPrompts(body), defaultMaxTokens: 16, logprobs);
        string id = Wire.NewId("cmpl");
        if (p.Stream) { await Stream(ctx, p, id, chat: false); return; }
        var gens = await RunAll(ctx, p);
        var choices = gens.Select((g, i) => new CompletionChoice(g.Text ?? "", i, logprobs is null ? null : CompletionLogProbsOf(g), OpenAiSampling.FinishReason(g.FinishReason))).ToArray();
        await ctx.Response.WriteAsJsonAsync(new CompletionResponse(id, "text_completion", Wire.Now, s.ModelId, choices, UsageOf(p, gens), p.Steering.Echo), Wire.Json);
    }

    public async Task ChatCompletions(HttpContext ctx, JsonArgs body)
    {
        foreach (var unsupported in new[] { "tools", "functions", "tool_choice", "audio" })
            if (body.Get(unsupported) is not null) throw ApiError.BadRequest($"{unsupported} is not supported by this server", unsupported);
        var prompter = s.Chat ?? throw ApiError.BadRequest("this model has no tokenizer: chat needs text", "messages");
        bool logprobs = body.Bool("logprobs") ?? false;
        int? top = body.Int("top_logprobs", 0, MaxChatTopLogProbs);
        if (top != null && !logprobs) throw ApiError.BadRequest("top_logprobs needs logprobs: true", "top_logprobs");
        int[] prompt;
        try { prompt = prompter.Encode(Messages(body)); }
        catch (LayerSteerException e) { throw ApiError.BadRequest($"the chat template failed: {e.Message}", "messages"); }
        var p = Parse(body, [prompt], defaultMaxTokens: s.Options.MaxTokens, logprobs ? top ?? 0 : null);
        string id = Wire.NewId("chatcmpl");
        if (p.Stream) { await Stream(ctx, p, id, chat: true); return; }
        var gens = await RunAll(ctx, p);
        var choices = gens.Select((g, i) => new ChatChoice(i, new ChatMessageOut("assistant", g.Text ?? ""), null,
            logprobs ? new ChatLogProbs(g.LogProbs!.Select(ChatLogProbOf).ToArray()) : null, OpenAiSampling.FinishReason(g.FinishReason))).ToArray();
        await ctx.Response.WriteAsJsonAsync(new ChatResponse(id, "chat.completion", Wire.Now, s.ModelId, choices, UsageOf(p, gens), p.Steering.Echo), Wire.Json);
    }

    // ---------------------------------------------------------------- parsing

    Parsed Parse(JsonArgs body, int[][] prompts, int defaultMaxTokens, int? logprobs)
    {
        if (body.String("model") is string model && model != s.ModelId)
            throw ApiError.NotFound($"the model \"{model}\" does not exist here; this server serves \"{s.ModelId}\"", "model", "model_not_found");
        int cap = s.Options.MaxTokens;
        string maxName = body.Get("max_completion_tokens") is not null ? "max_completion_tokens" : "max_tokens";
        int maxTokens = body.Int(maxName, 0, int.MaxValue) is int m
            ? m <= cap ? m : throw ApiError.BadRequest($"{maxName} {m} is more than this server's limit of {cap} (--max-tokens)", maxName)
            : Math.Min(defaultMaxTokens, cap);
        foreach (var ids in prompts)
            if (ids.Length + maxTokens > s.Bundle.Model.Config.MaxPositions)
                throw ApiError.BadRequest($"the prompt ({ids.Length} tokens) plus {maxName} ({maxTokens}) exceeds the model's context of " +
                                          $"{s.Bundle.Model.Config.MaxPositions} tokens", "messages", "context_length_exceeded");
        var sampling = OpenAiSampling.Options(body.Float("temperature", 0, 2), body.Float("top_p", 0, 1), maxTokens, Stops(body), logprobs);
        bool includeUsage = false;
        if (body.Get("stream_options") is { } so)
        {
            if (so.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest("stream_options must be an object", "stream_options");
            includeUsage = new JsonArgs(so).Bool("include_usage") ?? false;
        }
        return new Parsed(prompts, sampling, body.Int("n", 1, MaxChoices) ?? 1, body.Long("seed"), body.Bool("stream") ?? false, includeUsage,
            SteeringSpec.From(body, s.Registry, s.Bundle.Model, s.Options.DefaultVector));
    }

    static string[] Stops(JsonArgs body)
    {
        if (body.Get("stop") is not { } v) return [];
        string[] stops = v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Select((e, i) => JsonArgs.Text(e, $"stop[{i}]")).ToArray()
            : [JsonArgs.Text(v, "stop")];
        if (stops.Length > MaxStops) throw ApiError.BadRequest($"stop has {stops.Length} sequences; at most {MaxStops}", "stop");
        if (stops.Any(x => x.Length == 0)) throw ApiError.BadRequest("stop sequences must not be empty", "stop");
        return stops;
    }

    // "prompt": a string, a list of strings, a list of token ids, or a list of such lists.
    int[][] CompletionPrompts(JsonArgs body)
    {
        if (body.Get("prompt") is not { } v) throw ApiError.BadRequest("prompt is required", "prompt");
        if (v.ValueKind == JsonValueKind.String) return [Encode(JsonArgs.Text(v, "prompt"))];
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0)
            throw ApiError.BadRequest("prompt must be a string, a non-empty list of strings, or a list of token ids", "prompt");
        var items = v.EnumerateArray().ToArray();
        if (items.All(e => e.ValueKind == JsonValueKind.Number)) return [Ids(items, "prompt")];
        if (items.Length > MaxChoices) throw ApiError.BadRequest($"prompt lists {items.Length} prompts; at most {MaxChoices}", "prompt");
        return items.Select((e, i) => e.ValueKind switch
        {
            JsonValueKind.String => Encode(JsonArgs.Text(e, $"prompt[{i}]")),
            JsonValueKind.Array => Ids(e.EnumerateArray().ToArray(), $"prompt[{i}]"),
            _ => throw ApiError.BadRequest($"prompt[{i}] must be a string or a list of token ids", $"prompt[{i}]"),
        }).ToArray();
    }

    int[] Encode(string text)
    {
        var tok = s.Bundle.Tokenizer ?? throw ApiError.BadRequest("this model has no tokenizer: give the prompt as token ids", "prompt");
        if (text.Length == 0) throw ApiError.BadRequest("prompt must not be empty", "prompt");
        return tok.Encode(text);
    }

    int[] Ids(JsonElement[] items, string name)
    {
        int vocab = s.Bundle.Model.Vocab;
        if (items.Length == 0) throw ApiError.BadRequest($"{name} must not be empty", name);
        return items.Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int t) && t >= 0 && t < vocab ? t
            : throw ApiError.BadRequest($"{name} holds {e.GetRawText()}, not a token id in 0..{vocab - 1}", name)).ToArray();
    }

    static List<TemplateMessage> Messages(JsonArgs body)
    {
        if (body.Get("messages") is not { ValueKind: JsonValueKind.Array } ms || ms.GetArrayLength() == 0)
            throw ApiError.BadRequest("messages must be a non-empty list of {\"role\", \"content\"}", "messages");
        var list = new List<TemplateMessage>();
        int i = 0;
        foreach (var m in ms.EnumerateArray())
        {
            string at = $"messages[{i++}]";
            if (m.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest($"{at} must be an object", at);
            var a = new JsonArgs(m);
            string role = a.String("role") ?? throw ApiError.BadRequest($"{at}.role is required", $"{at}.role");
            if (!Roles.Contains(role)) throw ApiError.BadRequest($"{at}.role \"{role}\" is not one of {string.Join(", ", Roles)}", $"{at}.role");
            list.Add(a.Get("content") switch
            {
                null => new TemplateMessage(role, null),
                { ValueKind: JsonValueKind.String } c => new TemplateMessage(role, JsonArgs.Text(c, $"{at}.content")),
                { ValueKind: JsonValueKind.Array } parts => new TemplateMessage(role, null) { Parts = Parts(parts, $"{at}.content") },
                _ => throw ApiError.BadRequest($"{at}.content must be a string or a list of text parts", $"{at}.content"),
            });
        }
        return list;
    }

    static List<ContentPart> Parts(JsonElement parts, string at) => parts.EnumerateArray().Select((p, j) =>
    {
        var a = p.ValueKind == JsonValueKind.Object ? new JsonArgs(p) : throw ApiError.BadRequest($"{at}[{j}] must be an object", $"{at}[{j}]");
        if (a.String("type") != "text") throw ApiError.BadRequest($"{at}[{j}]: only text parts are supported", $"{at}[{j}].type");
        return ContentPart.OfText(a.String("text") ?? throw ApiError.BadRequest($"{at}[{j}].text is required", $"{at}[{j}].text"));
    }).ToList();

    // ---------------------------------------------------------------- running

    IEnumerable<SequenceJob> Jobs(Parsed p) =>
        p.Prompts.SelectMany(prompt => Enumerable.Range(0, p.N).Select(j => new SequenceJob(prompt, p.Sampling, p.Steering.Additions, OpenAiSampling.Seed(p.Seed, j))));

    /// <summary>Queues every job (all or none: a refusal cancels those already queued).</summary>
    List<T> Start<T>(Parsed p, Func<SequenceJob, T> start, CancellationTokenSource cts)
    {
        var started = new List<T>();
        try { foreach (var job in Jobs(p)) started.Add(start(job)); }
        catch (SchedulerFullException e) { cts.Cancel(); throw ApiError.Busy(e.Message); }
        catch (LayerSteerException e) { cts.Cancel(); throw ApiError.BadRequest(e.Message); }
        return started;
    }

    CancellationTokenSource Deadline(HttpContext ctx)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        cts.CancelAfter(s.Options.Timeout);
        return cts;
    }

    ApiError TimedOut() => ApiError.Unavailable($"the request did not finish within the server's timeout of {s.Options.Timeout.TotalSeconds:0.#} s (--timeout)");

    async Task<Generation[]> RunAll(HttpContext ctx, Parsed p)
    {
        using var cts = Deadline(ctx);
        var tasks = Start(p, job => s.Scheduler.Run(job, null, cts.Token), cts);
        try { return await Task.WhenAll(tasks); }
        catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested) { throw TimedOut(); }
    }

    async Task Stream(HttpContext ctx, Parsed p, string id, bool chat)
    {
        using var cts = Deadline(ctx);
        var streams = Start(p, job => s.Scheduler.Stream(job, cts.Token), cts);
        var merged = Channel.CreateUnbounded<(int Choice, TokenEvent Event)>();
        var pumps = streams.Select(async (st, i) => { await foreach (var e in st.Tokens.ReadAllAsync(cts.Token)) merged.Writer.TryWrite((i, e)); }).ToArray();
        _ = Task.WhenAll(pumps).ContinueWith(t => merged.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);

        var res = ctx.Response;
        res.ContentType = "text/event-stream";
        res.Headers.CacheControl = "no-cache";
        res.Headers["X-Accel-Buffering"] = "no";
        var tok = s.Bundle.Tokenizer;
        var texts = streams.Select(_ => tok is null ? null : new TextDeltas(tok, p.Sampling.StopStrings)).ToArray();
        var counts = new int[streams.Count];
        long created = Wire.Now;
        async Task Send(object o) { await res.WriteAsync($"data: {JsonSerializer.Serialize(o, Wire.Json)}\n\n", ctx.RequestAborted); await res.Body.FlushAsync(ctx.RequestAborted); }
        object Chunk(int i, string text, TokenEvent? e, string? finish) => chat
            ? new ChatResponse(id, "chat.completion.chunk", created, s.ModelId,
                [new ChatChoice(i, null, new ChatMessageOut(e is null ? "assistant" : null, text), e?.LogProb is { } lp ? new ChatLogProbs([ChatLogProbOf(lp)]) : null, finish)], null, null)
            : new CompletionResponse(id, "text_completion", created, s.ModelId, [new CompletionChoice(text, i, null, finish)], null, null);

        if (chat) for (int i = 0; i < streams.Count; i++) await Send(Chunk(i, "", null, null));
        try
        {
            await foreach (var (i, e) in merged.Reader.ReadAllAsync(cts.Token))
            {
                if (e.Id != null) counts[i]++;
                string delta = texts[i]?.Push(e.Id, e.FinishReason) ?? (e.Id is int t ? $"[{t}]" : "");
                string? finish = e.FinishReason is string r ? OpenAiSampling.FinishReason(r) : null;
                if (delta.Length > 0 || finish != null || e.LogProb != null) await Send(Chunk(i, delta, e, finish));
            }
            foreach (var st in streams) await st.Done;
        }
        catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            await Send(TimedOut().Body);
        }
        if (ctx.RequestAborted.IsCancellationRequested) return;
        if (p.IncludeUsage)
        {
            var usage = new Usage(p.Prompts.Sum(x => x.Length) * p.N, counts.Sum(), p.Prompts.Sum(x => x.Length) * p.N + counts.Sum());
            await Send(chat ? new ChatResponse(id, "chat.completion.chunk", created, s.ModelId, [], usage, p.Steering.Echo)
                            : new CompletionResponse(id, "text_completion", created, s.ModelId, [], usage, p.Steering.Echo));
        }
        await res.WriteAsync("data: [DONE]\n\n", ctx.RequestAborted);
    }

    // ---------------------------------------------------------------- answers

    static Usage UsageOf(Parsed p, Generation[] gens)
    {
        int prompt = p.Prompts.Sum(x => x.Length) * p.N, completion = gens.Sum(g => g.Ids.Length);
        return new Usage(prompt, completion, prompt + completion);
    }

    string TokenText(int id) => s.Bundle.Tokenizer?.Decode([id]) ?? $"[{id}]";

    CompletionLogProbs CompletionLogProbsOf(Generation g)
    {
        var lps = g.LogProbs!;
        var tokens = lps.Select(l => TokenText(l.Id)).ToArray();
        var offsets = new int[tokens.Length];
        for (int i = 1; i < tokens.Length; i++) offsets[i] = offsets[i - 1] + tokens[i - 1].Length;
        var top = lps.Select(l =>
        {
            var d = new Dictionary<string, float>();
            foreach (var (tid, lp) in l.Top) d.TryAdd(TokenText(tid), lp);
            return d;
        }).ToArray();
        return new CompletionLogProbs(tokens, lps.Select(l => l.LogProb).ToArray(), top, offsets);
    }

    ChatTokenLogProb ChatLogProbOf(TokenLogProb l)
    {
        static int[] Bytes(string t) => Encoding.UTF8.GetBytes(t).Select(b => (int)b).ToArray();
        string t = TokenText(l.Id);
        return new ChatTokenLogProb(t, l.LogProb, Bytes(t), l.Top.Select(x => { string tt = TokenText(x.Id); return new TopLogProb(tt, x.LogProb, Bytes(tt)); }).ToArray());
    }
}
