using System.Text.Json;
using System.Text.Unicode;

namespace LayerSteer.Formats;

/// <summary>Parses JSON a user's file holds: invalid UTF-8 (which System.Text.Json would only report later, as a crash when
/// a string is read) and malformed or too deeply nested JSON (more than 64 levels) become one error naming the file.</summary>
public static class JsonText
{
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8, string path, string what = "JSON")
    {
        if (!Utf8.IsValid(utf8.Span)) throw LayerSteerException.InFile(path, $"not valid {what}: the bytes are not valid UTF-8");
        try { return JsonDocument.Parse(utf8); }
        catch (JsonException e) { throw LayerSteerException.InFile(path, $"not valid {what} ({e.Message})"); }
    }

    /// <summary>The file's JSON (reading errors also name the file).</summary>
    public static JsonDocument ParseFile(string path, string what = "JSON")
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw LayerSteerException.InFile(path, $"cannot be read ({e.Message})"); }
        return Parse(bytes, path, what);
    }
}
