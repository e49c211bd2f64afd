using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Net.Sockets;
using OpenAI;
using OpenAI.Chat;

namespace LayerSteer.Judges;

/// <summary>The paper's GPT-Eval: ask an OpenAI-compatible chat model five times whether the prediction is right
/// and accept when more than two answers are 1. Verdicts are cached per (task, input, prediction).</summary>
public sealed class LlmJudge : IJudge
{
    const int Votes = 5, Needed = 3;

    readonly ChatClient client;
    readonly string endpoint;
    readonly TimeSpan timeout;
    readonly ConcurrentDictionary<(JudgeTask, string, string), Verdict> cache = new();

    public LlmJudge(JudgeOptions options)
    {
        endpoint = options.ResolvedEndpoint;
        timeout = options.Timeout;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new LayerSteerException($"LLM judge: endpoint '{endpoint}' is not an http(s) URL");
        var key = options.ResolvedApiKey ?? (endpoint == JudgeOptions.OpenAIEndpoint
            ? throw new LayerSteerException("LLM judge: set $OPENAI_API_KEY, or point --judge-endpoint / $OPENAI_BASE_URL at an OpenAI-compatible server")
            : "none");   // local servers usually ignore the key, but the client requires one
        client = new ChatClient(options.ResolvedModel, new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = uri,
            NetworkTimeout = options.Timeout,
            RetryPolicy = new RetryPolicy(options.MaxRetries),
        });
    }

    /// <summary>The paper's prompt for a pair.</summary>
    public static string Prompt(JudgeTask task, string input, string prediction) =>
        "Answer 0 if what I say is wrong and 1 if it is correct. " + task switch
        {
            JudgeTask.Antonym => $"\"{input}\" is an antonym of \"{prediction}\".",
            JudgeTask.Synonym => $"\"{input}\" is a synonym of \"{prediction}\".",
            JudgeTask.EnglishFrench => $"\"{input}\" translated to French is \"{prediction}\".",
            JudgeTask.EnglishGerman => $"\"{input}\" translated to German is \"{prediction}\".",
            _ => throw new ArgumentOutOfRangeException(nameof(task)),
        };

    public Verdict Judge(JudgeTask task, string input, string prediction)
    {
        input = input.Trim();
        prediction = prediction.Trim();
        if (prediction.Length == 0) return Verdict.Reject;
        return cache.GetOrAdd((task, input, prediction), _ =>
        {
            var prompt = Prompt(task, input, prediction);
            var replies = Task.WhenAll(Enumerable.Range(0, Votes).Select(_ => Ask(prompt))).GetAwaiter().GetResult();
            return replies.Count(Yes) >= Needed ? Verdict.Accept : Verdict.Reject;
        });
    }

    async Task<string> Ask(string prompt)
    {
        try
        {
            var completion = (await client.CompleteChatAsync([new UserChatMessage(prompt)])).Value;
            return completion.Content.Count > 0 ? completion.Content[0].Text ?? "" : "";
        }
        catch (Exception e) when (e is ClientResultException or OperationCanceledException or AggregateException or HttpRequestException)
        {
            throw Explain(e);
        }
    }

    // A vote is the first 0 or 1 in the reply ("1", "1.", "Answer: 1"); a reply without one is not a yes.
    static bool Yes(string reply) => reply.FirstOrDefault(c => c is '0' or '1') == '1';

    LayerSteerException Explain(Exception e)
    {
        var all = Flatten(e).ToList();
        if (all.OfType<ClientResultException>().FirstOrDefault(c => c.Status > 0) is { } http)
            return new($"LLM judge: {endpoint} answered HTTP {http.Status}: {http.Message}", e);
        if (all.Any(x => x is OperationCanceledException or TimeoutException))
            return new($"LLM judge: {endpoint} did not answer within {timeout.TotalSeconds:0.##} s", e);
        return new($"LLM judge: cannot reach {endpoint}: {all[^1].Message}", e);
    }

    static IEnumerable<Exception> Flatten(Exception e) =>
        (e is AggregateException a ? a.InnerExceptions : e.InnerException is { } i ? [i] : [])
            .SelectMany(Flatten).Prepend(e);

    /// <summary>The client's retries (timeouts, 408/429/5xx; exponential backoff, or the server's Retry-After when
    /// longer), except that a refused connection fails at once: nothing is listening, waiting will not help.</summary>
    sealed class RetryPolicy(int maxRetries) : ClientRetryPolicy(maxRetries)
    {
        protected override bool ShouldRetry(PipelineMessage message, Exception? exception) =>
            !(exception is not null && Flatten(exception).OfType<SocketException>().Any(s => s.SocketErrorCode == SocketError.ConnectionRefused))
            && base.ShouldRetry(message, exception);
    }
}
