using System.Text.Json;

namespace LayerSteer.Tokenizers;

/// <summary>Typed reads from a tokenizer JSON file whose errors name the file and the field.</summary>
internal static class JsonFields
{
    public static JsonDocument Parse(string path) => Formats.JsonText.ParseFile(path);

    /// <summary>The member, or null when it is absent or JSON null.</summary>
    public static JsonElement? Get(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static JsonElement Require(JsonElement obj, string name, string where, string path) =>
        Get(obj, name) ?? throw LayerSteerException.InFile(path, $"{where} has no \"{name}\"");

    public static string? Str(JsonElement obj, string name, string where, string path) => Get(obj, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } v => Text(v, $"{where}.{name}", path),
        _ => throw LayerSteerException.InFile(path, $"{where}.{name} must be a string"),
    };

    // JsonDocument checks neither a string's UTF-8 nor its \u escapes until the string is read.
    const string NotText = "is not valid Unicode text (invalid UTF-8, or a \\u escape of half a surrogate pair)";

    /// <summary>The value of a JSON string, whose text must be valid Unicode (a Rust String, as in Hugging Face, cannot hold anything else).</summary>
    public static string Text(JsonElement value, string where, string path)
    {
        try { return value.GetString()!; }
        catch (InvalidOperationException) { throw LayerSteerException.InFile(path, $"{where} {NotText}"); }
    }

    /// <summary>The name of an object member, checked like <see cref="Text"/>.</summary>
    public static string Name(JsonProperty member, string where, string path)
    {
        try { return member.Name; }
        catch (InvalidOperationException) { throw LayerSteerException.InFile(path, $"{where} has a key that {NotText}"); }
    }

    public static JsonElement Object(JsonElement value, string where, string path) =>
        value.ValueKind == JsonValueKind.Object ? value : throw LayerSteerException.InFile(path, $"{where} must be an object");

    public static bool Bool(JsonElement obj, string name, bool fallback, string where, string path) => Get(obj, name) switch
    {
        null => fallback,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw LayerSteerException.InFile(path, $"{where}.{name} must be true or false"),
    };

    public static int Int(JsonElement value, string where, string path) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int i) ? i
            : throw LayerSteerException.InFile(path, $"{where} must be an integer");

    public static JsonElement.ArrayEnumerator Array(JsonElement obj, string name, string where, string path) =>
        Require(obj, name, where, path) is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray()
            : throw LayerSteerException.InFile(path, $"{where}.{name} must be an array");

    /// <summary>The steps of a Sequence component ("normalizers", "pretokenizers", "decoders"), each read by <paramref name="read"/>.</summary>
    public static List<T> Steps<T>(JsonElement j, string name, string where, string path, Func<JsonElement?, string, string, T?> read) where T : class =>
        Array(j, name, where, path)
            .Select((e, i) => read(e, $"{where}.{name}[{i}]", path) ?? throw LayerSteerException.InFile(path, $"{where}.{name}[{i}] is null"))
            .ToList();

    /// <summary>The "type" of a pipeline component (normalizer, pre_tokenizer, decoder, ...).</summary>
    public static string Type(JsonElement component, string where, string path) =>
        Str(Object(component, where, path), "type", where, path) ?? throw LayerSteerException.InFile(path, $"{where} has no \"type\"");

    public static LayerSteerException Unsupported(string path, string where, string type, string supported) =>
        LayerSteerException.InFile(path, $"unsupported {where} type \"{type}\" (supported: {supported})");

    /// <summary>A Split/Replace pattern: {"String": literal} or {"Regex": pattern}, as a .NET regex.</summary>
    public static TokenRegex Pattern(JsonElement obj, string where, string path)
    {
        var p = Require(obj, "pattern", where, path);
        string? literal = Str(p, "String", where + ".pattern", path);
        string? regex = Str(p, "Regex", where + ".pattern", path);
        string pattern = literal is not null ? System.Text.RegularExpressions.Regex.Escape(literal)
            : regex ?? throw LayerSteerException.InFile(path, $"{where}.pattern needs \"String\" or \"Regex\"");
        try { return new TokenRegex(pattern, path); }
        catch (ArgumentException e) { throw LayerSteerException.InFile(path, $"{where}.pattern is not a usable regex ({e.Message})"); }
    }
}
