namespace LayerSteer.Server;

/// <summary>Everything `layersteer serve` is started with; each default is defined here once.</summary>
public sealed record ServerOptions
{
    public required string Model { get; init; }
    /// <summary>The vector registry's folder (NAME.safetensors files); null: no registry (named vectors and fits are refused).</summary>
    public string? VectorsDir { get; init; }
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; init; } = 8000;
    public string? ApiKey { get; init; }
    public int MaxBatch { get; init; } = 16;
    /// <summary>Upper bound (and the chat default) of max_tokens.</summary>
    public int MaxTokens { get; init; } = 512;
    public long MaxBodyBytes { get; init; } = 1 << 20;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>KV cache all running sequences may hold together.</summary>
    public long KvBudgetBytes { get; init; } = 1L << 30;
    /// <summary>Requests that may wait for a place in the batch before the server answers 429.</summary>
    public int MaxQueue { get; init; } = 256;
    /// <summary>A registry vector applied to requests that carry no "steering" field.</summary>
    public string? DefaultVector { get; init; }
    /// <summary>A chat template file overriding the model's.</summary>
    public string? ChatTemplate { get; init; }
    /// <summary>Fit jobs that may wait behind the running one.</summary>
    public int MaxFitJobs { get; init; } = 8;

    /// <summary>Fails on options that cannot work, before the model loads: binding beyond loopback needs an API key.</summary>
    public void Check()
    {
        if (!IsLoopback(Host) && string.IsNullOrEmpty(ApiKey))
            throw new LayerSteerException($"--host {Host} is not a loopback address: binding elsewhere requires --api-key");
        if (Port is < 0 or > 65535) throw new LayerSteerException($"--port {Port} is outside 0..65535");
        if (MaxBatch < 1) throw new LayerSteerException($"--max-batch must be at least 1 (got {MaxBatch})");
        if (MaxTokens < 1) throw new LayerSteerException($"--max-tokens must be at least 1 (got {MaxTokens})");
        if (MaxBodyBytes < 1024) throw new LayerSteerException($"--max-body must be at least 1KB (got {MaxBodyBytes} bytes)");
        if (Timeout <= TimeSpan.Zero) throw new LayerSteerException($"--timeout must be positive (got {Timeout})");
        if (VectorsDir != null && !Directory.Exists(VectorsDir)) throw new LayerSteerException($"--vectors {VectorsDir}: folder not found");
        if (DefaultVector != null && VectorsDir == null) throw new LayerSteerException("--default-vector names a registry vector: give --vectors too");
        if (ChatTemplate != null && !File.Exists(ChatTemplate)) throw LayerSteerException.InFile(ChatTemplate, "chat template file not found");
    }

    public static bool IsLoopback(string host) =>
        host is "localhost" || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
