using System.Text.Json;
using System.Text.Json.Nodes;
using LayerSteer.Formats;
using LayerSteer.Intervention;

namespace LayerSteer.Exports;

/// <summary>`export --format easysteer`: the control-vector GGUF and a request body for EasySteer's OpenAI-compatible vLLM
/// server (steering v2: algorithm "direct" at layers [ℓ], applied at the positions of the apply mode).</summary>
public static class EasySteerExport
{
    public const string VectorFile = "vector.gguf", RequestFile = "request.json";

    /// <summary>Writes vector.gguf and request.json into <paramref name="folder"/>; returns the note on what changes (or null).</summary>
    public static string? Write(ResidualVector r, ApplyMode apply, string? prompt, string folder)
    {
        Directory.CreateDirectory(folder);
        string gguf = Path.GetFullPath(Path.Combine(folder, VectorFile));
        GgufExport.ToFile(r).Write(gguf);
        AtomicFile.WriteText(Path.Combine(folder, RequestFile), Request(gguf, r.Layer, apply, prompt).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return r.Note(apply, "EasySteer");
    }

    /// <summary>The body of POST /v1/completions (vLLM's "model" may be left out: the served model).</summary>
    public static JsonObject Request(string ggufPath, int layer, ApplyMode apply, string? prompt)
    {
        var body = new JsonObject();
        if (prompt != null) { body["prompt"] = prompt; body["max_tokens"] = 10; body["temperature"] = 0; }
        body["steering"] = new JsonObject
        {
            ["vectors"] = new JsonArray(new JsonObject
            {
                ["source"] = ggufPath, ["algorithm"] = "direct", ["scale"] = 1.0, ["layers"] = new JsonArray(layer), ["normalize"] = false,
                ["apply"] = Positions(apply),
            }),
        };
        return body;
    }

    /// <summary>EasySteer's ApplySpec for each mode: prompt position −1 (the last prompt token), plus every decode step, or everything.</summary>
    static JsonObject Positions(ApplyMode m) => m switch
    {
        ApplyMode.Last => new JsonObject { ["prompt_positions"] = new JsonArray(-1) },
        ApplyMode.All => new JsonObject { ["prompt_positions"] = new JsonArray(-1), ["generation"] = "all" },
        _ => new JsonObject { ["prompt"] = "all", ["generation"] = "all" },
    };
}
