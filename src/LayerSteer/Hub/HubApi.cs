using System.Net;
using System.Text.Json;

namespace LayerSteer.Hub;

/// <summary>The hub's model API ({endpoint}/api/models/{repo}/revision/{rev}) and its error statuses as clear messages.</summary>
public static class HubApi
{
    /// <summary>The commit sha and file list of <paramref name="repoId"/> at <paramref name="revision"/>; fails at once when the hub is unreachable.</summary>
    public static async Task<HubRepoInfo> FetchAsync(HttpClient http, string endpoint, string repoId, string revision, TimeSpan timeout, CancellationToken ct)
    {
        string url = $"{endpoint}/api/models/{repoId}/revision/{Uri.EscapeDataString(revision)}?blobs=true";
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        byte[] body;
        try
        {
            using var resp = await http.GetAsync(url, cts.Token);
            ThrowIfRefused(resp, $"{repoId} at revision \"{revision}\"", endpoint);
            resp.EnsureSuccessStatusCode();
            body = await resp.Content.ReadAsByteArrayAsync(cts.Token);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw Unreachable(endpoint, repoId, e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0} s" : e.Message, e);
        }
        return Parse(body, url);
    }

    internal static HubRepoInfo Parse(byte[] body, string url)
    {
        LayerSteerException Bad(string problem) => LayerSteerException.InFile(url, $"unexpected hub API answer: {problem}");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body); }
        catch (JsonException e) { throw Bad($"not JSON ({e.Message})"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad("not a JSON object");
            string sha = Str(root, "sha") ?? throw Bad("no \"sha\"");
            if (!IsHex(sha)) throw Bad($"commit sha \"{sha}\" is not hexadecimal");
            if (!root.TryGetProperty("siblings", out var siblings) || siblings.ValueKind != JsonValueKind.Array) throw Bad("no \"siblings\" array");
            var files = new List<HubFile>();
            foreach (var s in siblings.EnumerateArray())
            {
                string name = s.ValueKind == JsonValueKind.Object ? Str(s, "rfilename") ?? "" : "";
                // File names become paths under snapshots/: they must stay inside it.
                if (name.Length == 0 || Path.IsPathRooted(name) || name.Split('/').Any(part => part is "" or "." or ".."))
                    throw Bad($"file name \"{name}\" is not a relative path");
                string? sha256 = s.TryGetProperty("lfs", out var lfs) && lfs.ValueKind == JsonValueKind.Object ? Str(lfs, "sha256") : null;
                long? size = s.TryGetProperty("size", out var sz) && sz.TryGetInt64(out long n) ? n : null;
                string? blobId = Str(s, "blobId");
                // Blob ids become file names under blobs/.
                if (sha256 is { } a && !IsHex(a) || blobId is { } b && !IsHex(b)) throw Bad($"blob ids of \"{name}\" are not hexadecimal");
                files.Add(new HubFile(name, size, blobId, sha256?.ToLowerInvariant()));
            }
            return new HubRepoInfo(sha, files);
        }
    }

    static bool IsHex(string s) => s.Length > 0 && s.All(char.IsAsciiHexDigit);

    static string? Str(JsonElement j, string key) =>
        j.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>Turns refusals the user can fix (401/403/404 and other 4xx) into clear errors; 408, 429 and 5xx stay retryable.</summary>
    public static void ThrowIfRefused(HttpResponseMessage resp, string what, string endpoint)
    {
        int code = (int)resp.StatusCode;
        if (code is 401 or 403)
            throw new LayerSteerException($"{what}: access denied by {endpoint} (HTTP {code}); the repository may be private or gated: accept its license on the model page and pass --token or set HF_TOKEN");
        if (resp.StatusCode == HttpStatusCode.NotFound)
            throw new LayerSteerException($"{what}: not found on {endpoint} (HTTP 404); check the repository id and revision");
        if (code is >= 400 and < 500 and not (408 or 416 or 429))
            throw new LayerSteerException($"{what}: refused by {endpoint} (HTTP {code} {resp.ReasonPhrase})");
    }

    static LayerSteerException Unreachable(string endpoint, string repoId, string reason, Exception inner) => new(
        $"cannot reach the hub at {endpoint} ({reason}). To run without downloading, pass a local model folder " +
        $"(config.json + model.safetensors) or a llama2.c .bin file instead of {repoId}, or set HF_ENDPOINT to a reachable mirror.", inner);
}
