namespace LayerSteer.ChatTemplates;

/// <summary>One chat turn. Templates see it as a mapping with "role" and "content" (a string, the list of
/// <see cref="Parts"/>, or None), plus "name", "tool_calls", "tool_call_id" and "reasoning_content" only when set.</summary>
public sealed record ChatMessage(string Role, string? Content)
{
    /// <summary>OpenAI-style content parts ([{"type": "text", "text": …}]); when set they are the content templates see.</summary>
    public IReadOnlyList<ContentPart>? Parts { get; init; }
    public string? Name { get; init; }
    public IReadOnlyList<ToolCall>? ToolCalls { get; init; }
    public string? ToolCallId { get; init; }
    public string? ReasoningContent { get; init; }

    internal PyDict ToTemplateValue()
    {
        var d = new PyDict();
        d.Set("role", Role);
        d.Set("content", Parts is null ? Content : new PyList(Parts.Select(p => (object?)p.ToTemplateValue())));
        if (Name is not null) d.Set("name", Name);
        if (ToolCalls is not null) d.Set("tool_calls", new PyList(ToolCalls.Select(c => (object?)c.ToTemplateValue())));
        if (ToolCallId is not null) d.Set("tool_call_id", ToolCallId);
        if (ReasoningContent is not null) d.Set("reasoning_content", ReasoningContent);
        return d;
    }
}

/// <summary>A part of a message's content: {"type": Type, "text": Text} (text omitted when null, e.g. an image placeholder).</summary>
public sealed record ContentPart(string Type, string? Text = null)
{
    public static ContentPart OfText(string text) => new("text", text);

    internal PyDict ToTemplateValue()
    {
        var d = new PyDict();
        d.Set("type", Type);
        if (Text is not null) d.Set("text", Text);
        return d;
    }
}

/// <summary>A function call an assistant turn made, as OpenAI sends it: {"id"?, "type": "function", "function": {"name", "arguments"}};
/// <see cref="Arguments"/> is the JSON text of the arguments.</summary>
public sealed record ToolCall(string Name, string Arguments, string? Id = null)
{
    internal PyDict ToTemplateValue()
    {
        var function = new PyDict();
        function.Set("name", Name);
        function.Set("arguments", Arguments);
        var d = new PyDict();
        if (Id is not null) d.Set("id", Id);
        d.Set("type", "function");
        d.Set("function", function);
        return d;
    }
}
