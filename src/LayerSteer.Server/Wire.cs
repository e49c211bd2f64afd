using System.Text.Json;
using System.Text.Json.Serialization;

namespace LayerSteer.Server;

// The JSON the server answers with, as typed records (snake_case, nulls left out unless a field says otherwise).

/// <summary>How every response is written.</summary>
public static class Wire
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 25)];
}

public sealed record ModelCard(string Id, long Created, string Object = "model", string OwnedBy = "layersteer");
public sealed record ModelList(ModelCard[] Data, string Object = "list");
public sealed record Usage(int PromptTokens, int CompletionTokens, int TotalTokens);

public sealed record CompletionLogProbs(string[] Tokens, float[] TokenLogprobs, Dictionary<string, float>[] TopLogprobs, int[] TextOffset);
public sealed record CompletionChoice(string Text, int Index, CompletionLogProbs? Logprobs, string? FinishReason);
public sealed record CompletionResponse(string Id, string Object, long Created, string Model, CompletionChoice[] Choices, Usage? Usage, SteeringEcho? Steering);

public sealed record TopLogProb(string Token, float Logprob, int[] Bytes);
public sealed record ChatTokenLogProb(string Token, float Logprob, int[] Bytes, TopLogProb[] TopLogprobs);
public sealed record ChatLogProbs(ChatTokenLogProb[] Content);
public sealed record ChatMessageOut(string? Role, string? Content);
public sealed record ChatChoice(int Index, ChatMessageOut? Message, ChatMessageOut? Delta, ChatLogProbs? Logprobs, string? FinishReason);
public sealed record ChatResponse(string Id, string Object, long Created, string Model, ChatChoice[] Choices, Usage? Usage, SteeringEcho? Steering);

public sealed record VectorCard(string Name, string? Task, int Layer, string Site, string Apply, int Width, int[]? NonzeroHeads, int? NonzeroEntries,
    string ModelFingerprint, string Object = "vector");
public sealed record VectorList(VectorCard[] Data, string Object = "list");
public sealed record Deletion(string Id, bool Deleted, string Object = "vector.deleted");
/// <summary>GET /health: the scheduler's load and the process's memory (working set, and the managed heap after the last idle trim).</summary>
public sealed record Health(string Status, string Model, int Active, int Queued, long KvBytesInUse, long KvBudgetBytes, long TokensGenerated, int FitJobs,
    long MemoryBytes, long ManagedBytes);
