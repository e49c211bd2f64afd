using System.Text.Json;
using System.Text.Json.Nodes;
using LayerSteer.ChatTemplates;
using LayerSteer.Tests.Support;
using LayerSteer.Tokenizers;

namespace LayerSteer.Tests.ChatTemplates;

/// <summary>The cases of jinja_cases.json, whose expected text (or error) Python jinja2 produced in transformers'
/// environment (jinja_reference.py regenerates them): LayerSteer's engine must give the same text, or a LayerSteerException.</summary>
public class JinjaReferenceTests
{
    sealed record Case(string Name, string? Template, string? File, JsonElement Vars, string? Expected, string? Error);

    static readonly Lazy<(DateTimeOffset Now, Dictionary<string, Case> Cases)> Corpus = new(() =>
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(CorpusPath()));
        var root = doc.RootElement;
        var now = DateTimeOffset.Parse(root.GetProperty("now").GetString()! + "Z");
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("name").GetString()!,
            c.TryGetProperty("template", out var t) ? t.GetString() : null,
            c.TryGetProperty("file", out var f) ? f.GetString() : null,
            c.GetProperty("vars").Clone(),
            c.TryGetProperty("expected", out var e) ? e.GetString() : null,
            c.TryGetProperty("error", out var err) ? err.GetString() : null)).ToDictionary(c => c.Name);
        return (now, cases);
    });

    // The corpus lives beside this file in the source tree (found from the build output by walking up to the solution).
    static string CorpusPath()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (System.IO.File.Exists(Path.Combine(d.FullName, "LayerSteer.slnx")))
                return Path.Combine(d.FullName, "tests", "LayerSteer.Tests", "ChatTemplates", "jinja_cases.json");
        throw new FileNotFoundException("LayerSteer.slnx not found above " + AppContext.BaseDirectory);
    }

    public static TheoryData<string> LanguageCases => [.. Corpus.Value.Cases.Values.Where(c => c.File is null).Select(c => c.Name)];
    public static TheoryData<string> RealTemplateCases => [.. Corpus.Value.Cases.Values.Where(c => c.File is not null).Select(c => c.Name)];

    static Dictionary<string, object?> Variables(JsonElement vars) =>
        vars.EnumerateObject().ToDictionary(p => p.Name, p => Template.FromJson(p.Value));

    static void Check(Case c, string text, string source)
    {
        var clock = new FixedClock(Corpus.Value.Now);
        if (c.Error is not null)
        {
            var e = Assert.Throws<LayerSteerException>(() => Template.Parse(text, source).Render(Variables(c.Vars), TemplateLimits.Default, clock));
            Assert.StartsWith(source, e.Message);
            return;
        }
        Assert.Equal(c.Expected, Template.Parse(text, source).Render(Variables(c.Vars), TemplateLimits.Default, clock));
    }

    [Theory]
    [MemberData(nameof(LanguageCases))]
    public void Language_case_renders_as_jinja2_does(string name)
    {
        var c = Corpus.Value.Cases[name];
        Check(c, c.Template!, "case template");
    }

    static string ConfigTemplate(string folder)
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(Shared.Path("tokenizers", folder, TokenizerConfig.FileName)));
        return doc.RootElement.GetProperty("chat_template").GetString()!;
    }

    [SharedTheory]
    [MemberData(nameof(RealTemplateCases))]
    public void Real_template_case_renders_as_jinja2_does(string name)
    {
        var c = Corpus.Value.Cases[name];
        Check(c, ConfigTemplate(c.File!), $"{c.File} chat_template");
    }

    /// <summary>The same conversations through ChatTemplate with typed messages give the same text as the raw mappings.</summary>
    [SharedTheory]
    [MemberData(nameof(RealTemplateCases))]
    public void Real_template_case_renders_the_same_from_typed_messages(string name)
    {
        var c = Corpus.Value.Cases[name];
        var vars = c.Vars;
        var tokens = new TokenizerConfig
        {
            BosToken = vars.TryGetProperty("bos_token", out var b) ? b.GetString() : null,
            EosToken = vars.TryGetProperty("eos_token", out var e) ? e.GetString() : null,
        };
        var template = ChatTemplate.FromText(ConfigTemplate(c.File!), $"{c.File} chat_template", tokens);
        var messages = vars.GetProperty("messages").EnumerateArray().Select(ToMessage).ToList();
        var extra = vars.EnumerateObject()
            .Where(p => p.Name is not ("messages" or "add_generation_prompt" or "bos_token" or "eos_token" or "documents"))
            .ToDictionary(p => p.Name, p => JsonNode.Parse(p.Value.GetRawText()));
        bool addGenerationPrompt = vars.GetProperty("add_generation_prompt").GetBoolean();
        if (c.Error is not null)
            Assert.Throws<LayerSteerException>(() => template.Render(messages, addGenerationPrompt, extra));
        else
            Assert.Equal(c.Expected, template.Render(messages, addGenerationPrompt, extra));
    }

    static ChatMessage ToMessage(JsonElement m)
    {
        string? Opt(string key) => m.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var content = m.GetProperty("content");
        return new ChatMessage(m.GetProperty("role").GetString()!, content.ValueKind == JsonValueKind.String ? content.GetString() : null)
        {
            Parts = content.ValueKind == JsonValueKind.Array
                ? content.EnumerateArray().Select(p => new ContentPart(p.GetProperty("type").GetString()!, p.TryGetProperty("text", out var t) ? t.GetString() : null)).ToList()
                : null,
            ToolCalls = m.TryGetProperty("tool_calls", out var calls)
                ? calls.EnumerateArray().Select(tc => new ToolCall(tc.GetProperty("function").GetProperty("name").GetString()!, tc.GetProperty("function").GetProperty("arguments").GetString()!)).ToList()
                : null,
            ReasoningContent = Opt("reasoning_content"),
            ToolCallId = Opt("tool_call_id"),
            Name = Opt("name"),
        };
    }
}
