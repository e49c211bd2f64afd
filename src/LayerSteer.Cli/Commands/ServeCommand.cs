using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using LayerSteer.Server;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer serve`: the OpenAI-compatible server with per-request steering, continuous batching and fit jobs.</summary>
public static partial class ServeCommand
{
    static readonly ServerOptions Defaults = new() { Model = "" };

    public static Command Create()
    {
        var model = CliOptions.Model();
        var vectors = new Option<string?>("--vectors") { Description = "Vector registry folder (NAME.safetensors; uploads and fits are saved here)" };
        var host = new Option<string>("--host") { Description = "Address to bind (beyond loopback only with --api-key)", DefaultValueFactory = _ => Defaults.Host };
        var port = new Option<int>("--port") { Description = "Port (0: any free port)", DefaultValueFactory = _ => Defaults.Port };
        var apiKey = new Option<string?>("--api-key") { Description = "Require \"Authorization: Bearer KEY\" on /v1 routes" };
        var maxBatch = new Option<int>("--max-batch") { Description = "Sequences decoded together", DefaultValueFactory = _ => Defaults.MaxBatch };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Largest max_tokens a request may ask for (and the chat default)", DefaultValueFactory = _ => Defaults.MaxTokens };
        var maxBody = new Option<string>("--max-body") { Description = "Largest request body (e.g. 1MB, 512KB)", DefaultValueFactory = _ => "1MB" };
        var timeout = new Option<string>("--timeout") { Description = "Longest a request may take, queueing included (e.g. 60s, 2m)", DefaultValueFactory = _ => "60s" };
        var kv = new Option<string>("--kv-budget") { Description = "KV cache all running sequences may hold together (e.g. 1GB)", DefaultValueFactory = _ => "1GB" };
        var maxQueue = new Option<int>("--max-queue") { Description = "Requests that may wait for a place before the server answers 429", DefaultValueFactory = _ => Defaults.MaxQueue };
        var defaultVector = new Option<string?>("--default-vector") { Description = "Registry vector applied to requests without a \"steering\" field" };
        var chatTemplate = new Option<string?>("--chat-template") { Description = "Chat template file (Jinja, or JSON with chat_template) overriding the model's" };
        var cmd = new Command("serve", "Serve the model over an OpenAI-compatible HTTP API with per-request steering.")
            { model, vectors, host, port, apiKey, maxBatch, maxTokens, maxBody, timeout, kv, maxQueue, defaultVector, chatTemplate };
        cmd.SetAction(async (pr, ct) =>
        {
            var o = new ServerOptions
            {
                Model = pr.GetValue(model)!, VectorsDir = pr.GetValue(vectors), Host = pr.GetValue(host)!, Port = pr.GetValue(port),
                ApiKey = pr.GetValue(apiKey), MaxBatch = pr.GetValue(maxBatch), MaxTokens = pr.GetValue(maxTokens),
                MaxBodyBytes = Bytes(pr.GetValue(maxBody)!, "--max-body"), Timeout = Duration(pr.GetValue(timeout)!, "--timeout"),
                KvBudgetBytes = Bytes(pr.GetValue(kv)!, "--kv-budget"), MaxQueue = pr.GetValue(maxQueue),
                DefaultVector = pr.GetValue(defaultVector), ChatTemplate = pr.GetValue(chatTemplate),
            };
            await using var server = await LayerSteerServer.StartAsync(o, Console.Error.WriteLine);
            Console.WriteLine($"serve url={server.Url}");
            await server.WaitForShutdownAsync(ct);
            return 0;
        });
        return cmd;
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?$", RegexOptions.IgnoreCase)]
    private static partial Regex SizePattern();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$", RegexOptions.IgnoreCase)]
    private static partial Regex DurationPattern();

    /// <summary>"1MB", "512KB", "1048576" → bytes (KB = 1024 bytes, as --max-body's default 1MB = 1,048,576).</summary>
    public static long Bytes(string s, string option)
    {
        var m = SizePattern().Match(s.Trim());
        if (!m.Success) throw new LayerSteerException($"{option} {s}: expected a size like 1MB, 512KB or 1048576");
        double v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        int shift = char.ToUpperInvariant(m.Groups[2].Value.FirstOrDefault('B')) switch { 'K' => 10, 'M' => 20, 'G' => 30, _ => 0 };
        return (long)(v * (1L << shift));
    }

    /// <summary>"60s", "2m", "500ms", "60" (seconds) → a duration.</summary>
    public static TimeSpan Duration(string s, string option)
    {
        var m = DurationPattern().Match(s.Trim());
        if (!m.Success) throw new LayerSteerException($"{option} {s}: expected a duration like 60s, 2m or 500ms");
        double v = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value.ToLowerInvariant() switch
        {
            "ms" => TimeSpan.FromMilliseconds(v), "m" => TimeSpan.FromMinutes(v), "h" => TimeSpan.FromHours(v), _ => TimeSpan.FromSeconds(v),
        };
    }
}
