using System.Text.Json;

namespace LayerSteer.Verification;

/// <summary>One case of a ../shared/fixtures file: reference numbers computed in float64 by an independent implementation.</summary>
public sealed record ParityCase(int[] Ids, float[] LogitsLast, int[] ArgmaxAll, double LogitsAllSum,
    int Layer, float[] Delta, int[] Targets, double Loss, float[] Grad, float[] LogitsLastIntervened);

/// <summary>Reads fixture.json (format in ../shared/fixtures/README.md).</summary>
public static class ParityFixture
{
    public static (string Model, ParityCase[] Cases) Load(string path)
    {
        if (!File.Exists(path)) throw LayerSteerException.InFile(path, "fixture file not found");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            var cases = root.GetProperty("cases").EnumerateArray().Select(c =>
            {
                var iv = c.GetProperty("intervention");
                return new ParityCase(Ints(c, "ids"), Floats(c, "logits_last"), Ints(c, "argmax_all"), c.GetProperty("logits_all_sum").GetDouble(),
                    iv.GetProperty("layer").GetInt32(), Floats(iv, "delta"), Ints(iv, "targets"), iv.GetProperty("loss").GetDouble(),
                    Floats(iv, "grad"), Floats(iv, "logits_last_intervened"));
            }).ToArray();
            return (root.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "", cases);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw LayerSteerException.InFile(path, $"not a parity fixture ({e.Message})");
        }
    }

    static int[] Ints(JsonElement e, string key) => e.GetProperty(key).EnumerateArray().Select(x => x.GetInt32()).ToArray();
    static float[] Floats(JsonElement e, string key) => e.GetProperty(key).EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
}
