using System.Text.Json;

namespace LayerSteer.Tokenizers;

/// <summary>Reads a BPE vocabulary (token → id object) and its merge list into the model's tables, checking both.</summary>
internal static class BpeVocab
{
    // Far above any real vocabulary; keeps a corrupt id from sizing a huge id → token array.
    const int MaxId = 16_000_000;

    public static Dictionary<string, int> Read(JsonElement vocab, string where, string path)
    {
        if (vocab.ValueKind != JsonValueKind.Object) throw LayerSteerException.InFile(path, $"{where} must be an object of token → id");
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in vocab.EnumerateObject())
        {
            string name = JsonFields.Name(p, where, path), at = $"{where}[\"{name}\"]";
            result[name] = CheckId(JsonFields.Int(p.Value, at, path), at, path);
        }
        if (result.Count == 0) throw LayerSteerException.InFile(path, $"{where} is empty");
        return result;
    }

    /// <summary><paramref name="id"/>, if it is a plausible token id.</summary>
    public static int CheckId(int id, string where, string path) =>
        id >= 0 && id < MaxId ? id : throw LayerSteerException.InFile(path, $"{where} has id {id}, outside 0..{MaxId - 1}");

    /// <summary>Merges in rank order, each (left, right, where it was written for errors).</summary>
    public static MergeTable Merges(IEnumerable<(string Left, string Right, string Where)> merges, IReadOnlyDictionary<string, int> vocab, string path)
    {
        var table = new MergeTable();
        int rank = 0;
        foreach (var (left, right, where) in merges)
        {
            int Id(string token) => vocab.TryGetValue(token, out int id) ? id
                : throw LayerSteerException.InFile(path, $"{where} merges \"{left}\" + \"{right}\", but \"{token}\" is not in the vocabulary");
            table.Add(Id(left), Id(right), rank++, Id(left + right));
        }
        return table;
    }

    /// <summary>A merge written "left right".</summary>
    public static (string Left, string Right, string Where) SplitMerge(string line, string where, string path)
    {
        string[] parts = line.Split(' ');
        return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 ? (parts[0], parts[1], where)
            : throw LayerSteerException.InFile(path, $"{where} \"{line}\" is not two tokens separated by one space");
    }
}
