using System.Text.Json.Serialization;

namespace LayerSteer.Server;

/// <summary>An error answered in OpenAI's shape, {"error": {"message", "type", "param", "code"}}, with its HTTP status.</summary>
public sealed class ApiError(int status, string message, string type = "invalid_request_error", string? param = null, string? code = null) : Exception(message)
{
    public int Status => status;
    public ErrorBody Body => new(new ErrorDetail(Message, type, param, code));
    /// <summary>Seconds a client should wait before retrying (429, 503), else null.</summary>
    public int? RetryAfter { get; init; }

    public static ApiError BadRequest(string message, string? param = null, string? code = null) => new(400, message, "invalid_request_error", param, code);
    public static ApiError NotFound(string message, string? param = null, string code = "not_found") => new(404, message, "invalid_request_error", param, code);
    public static ApiError Busy(string message) => new(429, message, "rate_limit_error", null, "server_busy") { RetryAfter = 1 };
    public static ApiError Unavailable(string message) => new(503, message, "server_error", null, "unavailable") { RetryAfter = 1 };
}

/// <summary>The JSON of an error response.</summary>
public sealed record ErrorBody([property: JsonPropertyName("error")] ErrorDetail Error);

/// <summary>OpenAI's error object; param and code are null when they do not apply (written as null, as OpenAI does).</summary>
public sealed record ErrorDetail(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Param,
    [property: JsonPropertyName("code"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Code);
