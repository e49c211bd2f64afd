namespace LayerSteer.Judges;

/// <summary>Where the judges find their resources; unset values come from the environment, then defaults.</summary>
public sealed record JudgeOptions
{
    /// <summary>Folder with WordNet's index.* and data.* files ($LAYERSTEER_WORDNET, else Debian's wordnet-base).</summary>
    public string? WordNetDir { get; init; }
    /// <summary>Folder with freedict-eng-{fra,deu}.{index,dict.dz} ($LAYERSTEER_FREEDICT, else Debian's dictd folder).</summary>
    public string? FreeDictDir { get; init; }
    /// <summary>OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 ($OPENAI_BASE_URL, else api.openai.com).</summary>
    public string? Endpoint { get; init; }
    /// <summary>Chat model ($LAYERSTEER_JUDGE_MODEL, else the paper's gpt-4).</summary>
    public string? Model { get; init; }
    /// <summary>API key ($OPENAI_API_KEY; may be absent for a local server).</summary>
    public string? ApiKey { get; init; }
    /// <summary>Time one request may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Retries of a failed request (timeouts, 429, 5xx), with exponential backoff or the server's Retry-After.</summary>
    public int MaxRetries { get; init; } = 3;

    internal string WordNet => WordNetDir ?? Env("LAYERSTEER_WORDNET") ?? "/usr/share/wordnet";
    internal string FreeDict => FreeDictDir ?? Env("LAYERSTEER_FREEDICT") ?? "/usr/share/dictd";
    internal string ResolvedEndpoint => Endpoint ?? Env("OPENAI_BASE_URL") ?? OpenAIEndpoint;
    internal string ResolvedModel => Model ?? Env("LAYERSTEER_JUDGE_MODEL") ?? "gpt-4";
    internal string? ResolvedApiKey => ApiKey ?? Env("OPENAI_API_KEY");

    internal const string OpenAIEndpoint = "https://api.openai.com/v1";

    static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
