namespace LayerSteer.Formats;

/// <summary>Opens a model folder's weights, and the file checks every weight loader shares.</summary>
public static class WeightSources
{
    public const string SingleFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>The folder's model.safetensors, else its sharded model.safetensors.index.json.</summary>
    public static IWeightSource Open(string modelDir)
    {
        string single = Path.Combine(modelDir, SingleFile), index = Path.Combine(modelDir, IndexFile);
        if (File.Exists(single)) return new SafeTensorsFile(single);
        if (File.Exists(index)) return new ShardedSafeTensors(index);
        throw LayerSteerException.InFile(modelDir, $"no weights found: looked for {SingleFile} and {IndexFile}");
    }

    internal static LayerSteerException NoTensor(string path, string name) => LayerSteerException.InFile(path, $"no tensor named \"{name}\"");

    /// <summary>The file's length, or a clear error when it is missing. A symbolic link (the Hugging Face cache links
    /// snapshots/…/model.safetensors to blobs/…) reports its own few bytes: its final target is measured instead.</summary>
    internal static long FileLength(string path)
    {
        if (!File.Exists(path)) throw LayerSteerException.InFile(path, "file not found");
        var info = new FileInfo(path);
        if (info.LinkTarget == null) return info.Length;
        var target = Try(path, () => info.ResolveLinkTarget(returnFinalTarget: true));   // a link cycle is an IOException
        return target is FileInfo { Exists: true } f ? f.Length
            : throw LayerSteerException.InFile(path, $"a symbolic link to {target?.FullName ?? info.LinkTarget}, which does not exist");
    }

    /// <summary>Runs a file operation, turning I/O failures (permissions, locks) into a clear error naming the file.</summary>
    internal static T Try<T>(string path, Func<T> open)
    {
        try { return open(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw LayerSteerException.InFile(path, $"cannot read ({e.Message})");
        }
    }
}
