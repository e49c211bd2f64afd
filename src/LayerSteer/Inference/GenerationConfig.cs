using System.Text.Json;
using LayerSteer.Tokenizers;

namespace LayerSteer.Inference;

/// <summary>What generation reads from a model folder's generation_config.json: its EOS ids (one id or a list; chat models often
/// list their end-of-turn token here, not in config.json).</summary>
public static class GenerationConfig
{
    public const string FileName = "generation_config.json";

    /// <summary>The eos_token_id of <paramref name="modelDir"/>'s generation_config.json; none when the file or the key is absent.</summary>
    public static int[] EosIds(string modelDir)
    {
        string path = Path.Combine(modelDir, FileName);
        if (!File.Exists(path)) return [];
        using var doc = JsonFields.Parse(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw LayerSteerException.InFile(path, "must be a JSON object");
        return JsonFields.Get(doc.RootElement, "eos_token_id") switch
        {
            null => [],
            { ValueKind: JsonValueKind.Array } a => a.EnumerateArray().Select(e => JsonFields.Int(e, "eos_token_id[]", path)).ToArray(),
            var v => [JsonFields.Int(v.Value, "eos_token_id", path)],
        };
    }
}
