using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LayerSteer.Server;

/// <summary>A request's JSON object: read within the body limit, checked to be UTF-8 JSON, with typed getters whose errors
/// (400) name the field.</summary>
public sealed class JsonArgs(JsonElement root)
{
    public JsonElement Root => root;

    /// <summary>The body's bytes; 413 past <paramref name="max"/> bytes (by Content-Length, or while reading). An oversize body is
    /// read on (up to <see cref="DrainFactor"/> × the limit) and dropped first, so the client, still sending, gets the 413 rather
    /// than a reset connection.</summary>
    public static async Task<byte[]> ReadBody(HttpRequest req, long max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        long total = 0;
        int n;
        while ((n = await req.Body.ReadAsync(chunk, ct)) > 0)
        {
            total += n;
            if (total > max || req.ContentLength > max)
            {
                if (total > DrainFactor * max) break;
                continue;
            }
            buffer.Write(chunk, 0, n);
        }
        if (total > max || req.ContentLength > max) throw TooLarge(max);
        return buffer.ToArray();
    }

    const int DrainFactor = 8;

    static ApiError TooLarge(long max) => new(413, $"the request body is larger than the server's limit of {max} bytes (--max-body)", "invalid_request_error", null, "request_too_large");

    /// <summary>Parses a JSON object body; invalid UTF-8, malformed JSON and non-objects are 400s.</summary>
    public static JsonArgs Parse(byte[] body)
    {
        if (!System.Text.Unicode.Utf8.IsValid(body)) throw ApiError.BadRequest("the request body is not valid UTF-8", code: "invalid_utf8");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 }); }
        catch (JsonException e) { throw ApiError.BadRequest($"the request body is not valid JSON: {e.Message}", code: "invalid_json"); }
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest("the request body must be a JSON object", code: "invalid_json");
        return new JsonArgs(doc.RootElement);
    }

    /// <summary>The member, or null when it is absent or JSON null.</summary>
    public JsonElement? Get(string name) => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public bool Has(string name) => root.TryGetProperty(name, out _);

    public string? String(string name) => Get(name) is { } v ? Text(v, name) : null;

    public int? Int(string name, int min, int max)
    {
        if (Get(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long x)) throw ApiError.BadRequest($"{name} must be an integer", name);
        if (x < min || x > max) throw ApiError.BadRequest($"{name} must be in {min}..{max} (got {x})", name);
        return (int)x;
    }

    public long? Long(string name)
    {
        if (Get(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long x)) throw ApiError.BadRequest($"{name} must be an integer", name);
        return x;
    }

    public float? Float(string name, float min, float max) => Get(name) is { } v ? Number(v, name, min, max) : null;

    public bool? Bool(string name)
    {
        if (Get(name) is not { } v) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true, JsonValueKind.False => false,
            _ => throw ApiError.BadRequest($"{name} must be true or false", name),
        };
    }

    /// <summary>A finite number in [min, max].</summary>
    public static float Number(JsonElement v, string name, float min, float max)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double x) || !double.IsFinite(x)) throw ApiError.BadRequest($"{name} must be a number", name);
        if (x < min || x > max) throw ApiError.BadRequest($"{name} must be in [{min}, {max}] (got {x})", name);
        return (float)x;
    }

    /// <summary>A JSON string as well-formed UTF-16 (an escaped lone surrogate is a 400, not an exception).</summary>
    public static string Text(JsonElement v, string name)
    {
        if (v.ValueKind != JsonValueKind.String) throw ApiError.BadRequest($"{name} must be a string", name);
        string s;
        try { s = v.GetString()!; }
        catch (InvalidOperationException) { throw ApiError.BadRequest($"{name} is not valid Unicode (a lone surrogate)", name, "invalid_utf8"); }
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) throw ApiError.BadRequest($"{name} is not valid Unicode (a lone surrogate at {i})", name, "invalid_utf8");
        }
        return s;
    }
}
