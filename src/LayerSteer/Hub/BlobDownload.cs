using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace LayerSteer.Hub;

/// <summary>Fetches one file into blobs/: resumes a BLOB.incomplete with an HTTP Range request, retries with backoff,
/// checks the LFS sha256, and only then renames it to its blob name.</summary>
internal sealed class BlobDownload(HttpClient http, string endpoint, int retries, TimeSpan retryDelay, TimeSpan stallTimeout)
{
    public async Task FetchAsync(HubFile file, string url, string blobPath, IProgress<FileProgress>? progress, CancellationToken ct)
    {
        string partial = blobPath + ".incomplete";
        Directory.CreateDirectory(Path.GetDirectoryName(blobPath)!);
        byte[] sha256;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                sha256 = await TransferAsync(file, url, partial, progress, ct);
                break;
            }
            catch (Exception e) when (IsTransient(e, ct))
            {
                if (attempt == retries)
                    throw new LayerSteerException($"{file.Name}: download from {url} failed after {retries + 1} attempts ({e.Message}); run the command again to resume", e);
                await Task.Delay(retryDelay * Math.Pow(2, attempt), ct);
            }
        }
        string got = Convert.ToHexStringLower(sha256);
        long length = new FileInfo(partial).Length;
        string? problem = file.Sha256 != null && got != file.Sha256 ? $"sha256 mismatch: expected {file.Sha256}, got {got}"
            : file.Size is { } size && size != length ? $"size mismatch: expected {size} bytes, got {length}" : null;
        if (problem != null)
        {
            File.Delete(partial);
            throw new LayerSteerException($"{file.Name}: {problem} (from {url}); the download was discarded");
        }
        File.Move(partial, blobPath, overwrite: true);
    }

    static bool IsTransient(Exception e, CancellationToken ct) =>
        e is HttpRequestException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested);

    /// <summary>One attempt: continues the partial file when the server honours the Range, restarts it otherwise; returns the sha256 of the whole file.</summary>
    async Task<byte[]> TransferAsync(HubFile file, string url, string partial, IProgress<FileProgress>? progress, CancellationToken ct)
    {
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        using var req = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0) req.Headers.Range = new RangeHeaderValue(have, null);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stall.CancelAfter(stallTimeout);
        using var resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, stall.Token);
        if (resp.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            File.Delete(partial);
            throw new IOException("the server cannot resume this file; restarting it");
        }
        HubApi.ThrowIfRefused(resp, file.Name, endpoint);
        resp.EnsureSuccessStatusCode();

        bool resume = resp.StatusCode == HttpStatusCode.PartialContent && resp.Content.Headers.ContentRange?.From == have;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (resume) await HashPrefixAsync(partial, hash, ct);
        else have = 0;
        long? total = file.Size ?? (resp.Content.Headers.ContentLength is { } n ? have + n : null);

        await using var output = new FileStream(partial, resume ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using var input = await resp.Content.ReadAsStreamAsync(stall.Token);
        var buffer = new byte[1 << 20];
        progress?.Report(new(file.Name, have, total));
        while (true)
        {
            stall.CancelAfter(stallTimeout); // a stalled connection is retried instead of hanging
            int read = await input.ReadAsync(buffer, stall.Token);
            if (read == 0) break;
            hash.AppendData(buffer, 0, read);
            await output.WriteAsync(buffer.AsMemory(0, read), ct);
            have += read;
            progress?.Report(new(file.Name, have, total));
        }
        return hash.GetHashAndReset();
    }

    static async Task HashPrefixAsync(string path, IncrementalHash hash, CancellationToken ct)
    {
        await using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 20];
        int n;
        while ((n = await fs.ReadAsync(buffer, ct)) > 0) hash.AppendData(buffer, 0, n);
    }
}
