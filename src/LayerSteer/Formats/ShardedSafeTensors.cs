using System.Text.Json;

namespace LayerSteer.Formats;

/// <summary>Weights split over several .safetensors shards, named by model.safetensors.index.json's "weight_map".</summary>
public sealed class ShardedSafeTensors : IWeightSource
{
    readonly Dictionary<string, SafeTensorsFile> _shardOf = [];
    readonly List<SafeTensorsFile> _shards = [];

    /// <summary>The index file's path.</summary>
    public string Path { get; }
    public IReadOnlyCollection<string> Names { get; }

    public ShardedSafeTensors(string indexPath)
    {
        Path = indexPath;
        var weightMap = ReadWeightMap(indexPath);
        string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(indexPath))!;
        try
        {
            var opened = new Dictionary<string, SafeTensorsFile>();
            foreach (var (name, shard) in weightMap)
            {
                if (!opened.TryGetValue(shard, out var file))
                {
                    string shardPath = System.IO.Path.Combine(dir, shard);
                    if (!File.Exists(shardPath)) throw LayerSteerException.InFile(indexPath, $"shard \"{shard}\" (holding \"{name}\") not found in {dir}");
                    opened[shard] = file = new SafeTensorsFile(shardPath);
                    _shards.Add(file);
                }
                if (!file.Contains(name)) throw LayerSteerException.InFile(indexPath, $"tensor \"{name}\" is mapped to \"{shard}\" but that shard does not contain it");
                _shardOf[name] = file;
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        Names = weightMap.Select(kv => kv.Key).ToList();
    }

    static List<KeyValuePair<string, string>> ReadWeightMap(string indexPath)
    {
        long length = WeightSources.FileLength(indexPath);
        if (length > SafeTensorsHeader.MaxBytes) throw LayerSteerException.InFile(indexPath, $"index is {length} bytes, too large for a weight map");
        using (var doc = JsonText.Parse(WeightSources.Try(indexPath, () => File.ReadAllBytes(indexPath)), indexPath))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw LayerSteerException.InFile(indexPath, "expected a JSON object with a \"weight_map\" object");
            var result = new List<KeyValuePair<string, string>>();
            foreach (var p in map.EnumerateObject())
            {
                string shard = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : "";
                // Shards sit beside the index: a bare file name, never a path that could leave the folder.
                if (shard.Length == 0 || shard != System.IO.Path.GetFileName(shard) || shard is "." or "..")
                    throw LayerSteerException.InFile(indexPath, $"weight_map[\"{p.Name}\"] must be a shard file name, got {p.Value.GetRawText()}");
                result.Add(new(p.Name, shard));
            }
            if (result.Count == 0) throw LayerSteerException.InFile(indexPath, "weight_map is empty");
            if (result.Select(kv => kv.Key).Distinct().Count() != result.Count) throw LayerSteerException.InFile(indexPath, "weight_map lists a tensor twice");
            return result;
        }
    }

    public bool Contains(string name) => _shardOf.ContainsKey(name);
    public TensorInfo Info(string name) => Shard(name).Info(name);
    public float[] ReadF32(string name) => Shard(name).ReadF32(name);
    public ReadOnlySpan<byte> Raw(string name) => Shard(name).Raw(name);
    public MappedTensor Map(string name) => Shard(name).Map(name);

    SafeTensorsFile Shard(string name) => _shardOf.TryGetValue(name, out var s) ? s : throw WeightSources.NoTensor(Path, name);

    public void Dispose()
    {
        foreach (var s in _shards) s.Dispose();
        _shards.Clear();
        _shardOf.Clear();
    }
}
