using System.Runtime.CompilerServices;
using LayerSteer.Inference;
using LayerSteer.Intervention;
using Microsoft.Extensions.AI;
using TemplateMessage = LayerSteer.ChatTemplates.ChatMessage;

namespace LayerSteer.Chat;

/// <summary>A steerable model as a Microsoft.Extensions.AI <see cref="IChatClient"/>, in process: requests go through the
/// same continuous-batching scheduler as the HTTP server. Steering is <c>ChatOptions.AdditionalProperties["steering"]</c>:
/// a <see cref="SteeringVector"/>, an <see cref="Addition"/>, or a sequence of additions (summed).</summary>
public sealed class LayerSteerChatClient(BatchScheduler scheduler, ChatPrompter prompter, string modelId, int maxTokens = 512) : IChatClient
{
    public const string SteeringKey = "steering";

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (job, promptTokens) = Job(messages, options);
        var g = await scheduler.Run(job, null, cancellationToken);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, g.Text ?? ""))
        {
            ModelId = modelId, FinishReason = Reason(g.FinishReason), ResponseId = NewId(),
            Usage = new UsageDetails { InputTokenCount = promptTokens, OutputTokenCount = g.Ids.Length, TotalTokenCount = promptTokens + g.Ids.Length },
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (job, _) = Job(messages, options);
        var (done, tokens) = scheduler.Stream(job, cancellationToken);
        var text = new TextDeltas(scheduler.Tokenizer!, job.Sampling.StopStrings);
        string id = NewId();
        await foreach (var e in tokens.ReadAllAsync(cancellationToken))
        {
            string delta = text.Push(e.Id, e.FinishReason);
            if (delta.Length > 0 || e.FinishReason != null)
                yield return new ChatResponseUpdate(ChatRole.Assistant, delta)
                {
                    ModelId = modelId, ResponseId = id, FinishReason = e.FinishReason is string r ? Reason(r) : null,
                };
        }
        await done;   // surfaces a failure or cancellation
    }

    (SequenceJob Job, int PromptTokens) Job(IEnumerable<ChatMessage> messages, ChatOptions? o)
    {
        var turns = messages.Select(m => new TemplateMessage(m.Role.Value, m.Text)).ToList();
        var prompt = prompter.Encode(turns);
        var sampling = OpenAiSampling.Options(o?.Temperature, o?.TopP, Math.Min(o?.MaxOutputTokens ?? maxTokens, maxTokens), o?.StopSequences?.ToArray() ?? []);
        return (new SequenceJob(prompt, sampling, Steering(o), OpenAiSampling.Seed(o?.Seed, 0)), prompt.Length);
    }

    IReadOnlyList<Addition> Steering(ChatOptions? o)
    {
        if (o?.AdditionalProperties is null || !o.AdditionalProperties.TryGetValue(SteeringKey, out var s) || s is null) return [];
        return s switch
        {
            SteeringVector v => [Checked(v).ToAddition()],
            IEnumerable<SteeringVector> vs => vs.Select(v => Checked(v).ToAddition()).ToList(),
            Addition a => [a],
            IEnumerable<Addition> list => list.ToList(),
            _ => throw new LayerSteerException($"ChatOptions.AdditionalProperties[\"{SteeringKey}\"] must be a SteeringVector, an Addition or additions (got {s.GetType().Name})"),
        };
    }

    SteeringVector Checked(SteeringVector v)
    {
        v.CheckModel(scheduler.Model, $"ChatOptions.AdditionalProperties[\"{SteeringKey}\"] ({v.Task})");
        return v;
    }

    static ChatFinishReason Reason(string r) => OpenAiSampling.FinishReason(r) == "length" ? ChatFinishReason.Length : ChatFinishReason.Stop;

    static string NewId() => "chatcmpl-" + Guid.NewGuid().ToString("N")[..24];

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }
}
