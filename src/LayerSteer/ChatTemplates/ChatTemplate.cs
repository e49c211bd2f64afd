using System.Text.Json;
using System.Text.Json.Nodes;
using LayerSteer.Tokenizers;
using static LayerSteer.Tokenizers.JsonFields;

namespace LayerSteer.ChatTemplates;

/// <summary>A model's chat template, rendered exactly as transformers' apply_chat_template renders it (jinja2 sandbox,
/// trim_blocks, lstrip_blocks, loopcontrols, its tojson / raise_exception / strftime_now), with messages,
/// add_generation_prompt, tools = documents = None, the special tokens (bos_token, eos_token, unk_token, pad_token)
/// and any extra variables. Encode the result without added special tokens: the template writes BOS itself.
/// A model without a template gets <see cref="FallbackTemplate"/>: bos_token, then "Role: content" and a blank line per
/// message (role capitalised, text parts joined), then "Assistant:" when a generation prompt is asked for.</summary>
/// <remarks>Known differences from jinja2: integers are 64-bit (overflow is an error), escape/safe give plain strings
/// (no markupsafe Markup), lengths and indexes count UTF-16 units, upper/lower use invariant casing (ß stays ß), and a
/// constant of the wrong type sliced in the template source ((true)[1:]) is an error where jinja2's optimiser makes it
/// Undefined.</remarks>
public sealed record ChatTemplate
{
    /// <summary>Where newer transformers versions save the template, beside tokenizer_config.json (it wins over the config's).</summary>
    public const string JinjaFileName = "chat_template.jinja";
    const string DefaultName = "default", ToolUseName = "tool_use";

    /// <summary>The plain format used when a model has no chat template.</summary>
    public const string FallbackTemplate =
        "{{ bos_token }}{% for m in messages %}{{ m.role | capitalize }}: "
        + "{% if m.content is string %}{{ m.content }}{% else %}{% for p in m.content if p.type == 'text' %}{{ p.text }}{% endfor %}{% endif %}"
        + "{{ '\\n\\n' }}{% endfor %}{% if add_generation_prompt %}Assistant:{% endif %}";

    readonly IReadOnlyDictionary<string, Template> templates;
    readonly TokenizerConfig? tokens;

    /// <summary>True when the model has no template and <see cref="FallbackTemplate"/> is used.</summary>
    public bool IsFallback { get; }

    /// <summary>Where the default template came from: a file path, "…/tokenizer_config.json chat_template", or "fallback chat template".</summary>
    public string Source => templates[DefaultName].Source;

    /// <summary>Names of the templates a tokenizer_config.json list defines ("default", "tool_use", …).</summary>
    public IReadOnlyCollection<string> Names => templates.Keys.ToList();

    public TemplateLimits Limits { get; init; } = TemplateLimits.Default;

    /// <summary>The clock strftime_now reads (local time, as datetime.now()).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    ChatTemplate(IReadOnlyDictionary<string, Template> templates, TokenizerConfig? tokens, bool isFallback) =>
        (this.templates, this.tokens, IsFallback) = (templates, tokens, isFallback);

    /// <summary>The template of a model folder: chat_template.jinja, else tokenizer_config.json's chat_template, else the fallback.</summary>
    public static ChatTemplate Load(string modelDir)
    {
        if (!Directory.Exists(modelDir)) throw LayerSteerException.InFile(modelDir, "folder not found");
        var tokens = TokenizerConfig.LoadFrom(modelDir);
        string jinja = Path.Combine(modelDir, JinjaFileName);
        if (File.Exists(jinja)) return FromText(ReadText(jinja), jinja, tokens);
        string config = Path.Combine(modelDir, TokenizerConfig.FileName);
        if (File.Exists(config) && FromConfigJson(config, tokens) is { } fromConfig) return fromConfig;
        return new ChatTemplate(new Dictionary<string, Template> { [DefaultName] = Template.Parse(FallbackTemplate, "fallback chat template") }, tokens, isFallback: true);
    }

    /// <summary>A --chat-template override: a Jinja file, or a .json file with a "chat_template" member; special tokens come
    /// from <paramref name="modelDir"/>'s tokenizer_config.json when given.</summary>
    public static ChatTemplate FromFile(string path, string? modelDir = null)
    {
        if (!File.Exists(path)) throw LayerSteerException.InFile(path, "chat template file not found");
        var tokens = modelDir is null ? null : TokenizerConfig.LoadFrom(modelDir);
        if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return FromText(ReadText(path), path, tokens);
        return FromConfigJson(path, tokens) ?? throw LayerSteerException.InFile(path, "has no \"chat_template\"");
    }

    /// <summary>A template given as text; <paramref name="source"/> names it in errors.</summary>
    public static ChatTemplate FromText(string text, string source, TokenizerConfig? tokens = null) =>
        new(new Dictionary<string, Template> { [DefaultName] = Template.Parse(text, source) }, tokens, isFallback: false);

    static string ReadText(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw LayerSteerException.InFile(path, $"cannot be read ({e.Message})"); }
    }

    // "chat_template": a string, or a list of {"name", "template"} of which "default" is used unless another is asked for.
    static ChatTemplate? FromConfigJson(string path, TokenizerConfig? tokens)
    {
        using var doc = Parse(path);
        if (Get(doc.RootElement, "chat_template") is not { } t) return null;
        string source = $"{path} chat_template";
        if (t.ValueKind == JsonValueKind.String) return FromText(t.GetString()!, source, tokens);
        if (t.ValueKind != JsonValueKind.Array) throw LayerSteerException.InFile(path, "chat_template must be a string or a list of {\"name\", \"template\"}");
        var named = new Dictionary<string, Template>();
        int i = 0;
        foreach (var entry in t.EnumerateArray())
        {
            string where = $"chat_template[{i++}]";
            string name = Str(entry, "name", where, path) ?? throw LayerSteerException.InFile(path, $"{where} has no \"name\"");
            string text = Str(entry, "template", where, path) ?? throw LayerSteerException.InFile(path, $"{where} has no \"template\"");
            if (!named.TryAdd(name, Template.Parse(text, $"{source}[\"{name}\"]"))) throw LayerSteerException.InFile(path, $"{where}: the name \"{name}\" appears twice");
        }
        if (!named.ContainsKey(DefaultName))
            throw LayerSteerException.InFile(path, $"chat_template lists no \"default\" template (it has {string.Join(", ", named.Keys.Select(n => $"\"{n}\""))})");
        return new ChatTemplate(named, tokens, isFallback: false);
    }

    /// <summary>The prompt text for <paramref name="messages"/>. <paramref name="variables"/> are extra template variables
    /// (tools, enable_thinking, …); <paramref name="templateName"/> picks a named template, else "tool_use" when tools are
    /// given and the model has one (as transformers does), else "default".</summary>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt,
        IReadOnlyDictionary<string, JsonNode?>? variables = null, string? templateName = null)
    {
        bool hasTools = variables is not null && variables.TryGetValue("tools", out var tools) && tools is not null;
        string name = templateName ?? (hasTools && templates.ContainsKey(ToolUseName) ? ToolUseName : DefaultName);
        if (!templates.TryGetValue(name, out var template))
            throw new LayerSteerException($"{Source}: no chat template named \"{name}\" (there are {string.Join(", ", templates.Keys.Select(n => $"\"{n}\""))})");
        var vars = new Dictionary<string, object?>
        {
            ["messages"] = new PyList(messages.Select(m => (object?)m.ToTemplateValue())),
            ["add_generation_prompt"] = addGenerationPrompt,
            ["tools"] = null,
            ["documents"] = null,
        };
        foreach (var (token, value) in new[] { ("bos_token", tokens?.BosToken), ("eos_token", tokens?.EosToken), ("unk_token", tokens?.UnkToken), ("pad_token", tokens?.PadToken) })
            if (value is not null) vars[token] = value;
        foreach (var (key, node) in variables ?? new Dictionary<string, JsonNode?>())
        {
            if (key is "messages" or "add_generation_prompt") throw new LayerSteerException($"{template.Source}: \"{key}\" is set by Render and cannot be passed as an extra variable");
            try { vars[key] = node is null ? null : Template.FromJson(JsonSerializer.SerializeToElement(node)); }
            catch (JsonException e) { throw new LayerSteerException($"{template.Source}: the extra variable \"{key}\" cannot be read ({e.Message})"); }
        }
        return template.Render(vars, Limits, Clock);
    }
}
