namespace LayerSteer.Hub;

/// <summary>One file of a hub repository as the API lists it (with ?blobs=true).</summary>
public sealed record HubFile(string Name, long? Size, string? BlobId, string? Sha256)
{
    /// <summary>The blob's name in the cache: the LFS sha256, else the git blob id (huggingface_hub's etag).</summary>
    public string? BlobName => Sha256 ?? BlobId;
}

/// <summary>A repository at one commit: its sha and files.</summary>
public sealed record HubRepoInfo(string Sha, IReadOnlyList<HubFile> Files);

/// <summary>Bytes of one file received so far (Total when known), for progress bars.</summary>
public readonly record struct FileProgress(string File, long Done, long? Total);
