using System.Text.Json.Nodes;
using LayerSteer.ChatTemplates;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.ChatTemplates;

/// <summary>Loading templates from model folders and files, the variables a template sees, the fallback format, and errors.</summary>
public class ChatTemplateTests
{
    static readonly ChatMessage[] Hi = [new("user", "hi")];

    const string Simple = "{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}";

    static string Config(TempDir dir, JsonObject config)
    {
        string path = dir.File("tokenizer_config.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    [Fact]
    public void Loads_the_config_template_with_added_token_objects()
    {
        using var dir = new TempDir();
        Config(dir, new JsonObject
        {
            ["bos_token"] = new JsonObject { ["__type"] = "AddedToken", ["content"] = "<s>", ["lstrip"] = false },
            ["eos_token"] = "</s>",
            ["chat_template"] = Simple,
        });
        var t = ChatTemplate.Load(dir.Path);
        Assert.False(t.IsFallback);
        Assert.Equal(dir.File("tokenizer_config.json") + " chat_template", t.Source);
        Assert.Equal("<s>[user]hi</s>[assistant]", t.Render(Hi, addGenerationPrompt: true));
        Assert.Equal("<s>[user]hi</s>", t.Render(Hi, addGenerationPrompt: false));
    }

    [Fact]
    public void A_template_list_uses_default_and_tool_use_when_tools_are_given()
    {
        using var dir = new TempDir();
        Config(dir, new JsonObject
        {
            ["chat_template"] = new JsonArray(
                new JsonObject { ["name"] = "default", ["template"] = "plain {{ tools }}" },
                new JsonObject { ["name"] = "tool_use", ["template"] = "tools {{ tools|length }}" },
                new JsonObject { ["name"] = "rag", ["template"] = "docs {{ documents }}" }),
        });
        var t = ChatTemplate.Load(dir.Path);
        Assert.Equal(["default", "tool_use", "rag"], t.Names);
        Assert.Equal("plain None", t.Render(Hi, true));
        Assert.Equal("tools 2", t.Render(Hi, true, new Dictionary<string, JsonNode?> { ["tools"] = new JsonArray(1, 2) }));
        Assert.Equal("docs None", t.Render(Hi, true, templateName: "rag"));
        var e = Assert.Throws<LayerSteerException>(() => t.Render(Hi, true, templateName: "nope"));
        Assert.Contains("no chat template named \"nope\"", e.Message);
    }

    [Fact]
    public void Chat_template_jinja_wins_over_the_config()
    {
        using var dir = new TempDir();
        Config(dir, new JsonObject { ["bos_token"] = "<s>", ["chat_template"] = "config" });
        File.WriteAllText(dir.File(ChatTemplate.JinjaFileName), "jinja {{ bos_token }}\n");
        var t = ChatTemplate.Load(dir.Path);
        Assert.Equal(dir.File(ChatTemplate.JinjaFileName), t.Source);
        Assert.Equal("jinja <s>", t.Render(Hi, true));
    }

    [Fact]
    public void From_file_reads_jinja_or_json_and_takes_special_tokens_from_the_model()
    {
        using var dir = new TempDir();
        Config(dir, new JsonObject { ["bos_token"] = "<s>", ["eos_token"] = "</s>" });
        string jinja = dir.File("override.jinja");
        File.WriteAllText(jinja, Simple);
        Assert.Equal("<s>[user]hi</s>[assistant]", ChatTemplate.FromFile(jinja, dir.Path).Render(Hi, true));
        Assert.Equal("[user]hi[assistant]", ChatTemplate.FromFile(jinja).Render(Hi, true));
        string json = dir.File("chat_template.json");
        File.WriteAllText(json, new JsonObject { ["chat_template"] = "json {{ messages[0].content }}" }.ToJsonString());
        Assert.Equal("json hi", ChatTemplate.FromFile(json, dir.Path).Render(Hi, true));
        Assert.Contains("chat template file not found", Assert.Throws<LayerSteerException>(() => ChatTemplate.FromFile(dir.File("missing.jinja"))).Message);
        File.WriteAllText(json, "{}");
        Assert.Contains("has no \"chat_template\"", Assert.Throws<LayerSteerException>(() => ChatTemplate.FromFile(json)).Message);
    }

    [Fact]
    public void A_model_without_a_template_gets_the_fallback_format()
    {
        using var dir = new TempDir();
        Config(dir, new JsonObject { ["bos_token"] = "<s>" });
        var t = ChatTemplate.Load(dir.Path);
        Assert.True(t.IsFallback);
        ChatMessage[] chat =
        [
            new("system", "Be brief."),
            new("user", null) { Parts = [ContentPart.OfText("Hot"), new ContentPart("image"), ContentPart.OfText("?")] },
            new("assistant", "Cold."),
        ];
        Assert.Equal("<s>System: Be brief.\n\nUser: Hot?\n\nAssistant: Cold.\n\nAssistant:", t.Render(chat, true));
        Assert.Equal("<s>System: Be brief.\n\nUser: Hot?\n\nAssistant: Cold.\n\n", t.Render(chat, false));
        using var bare = new TempDir();
        Assert.Equal("User: hi\n\nAssistant:", ChatTemplate.Load(bare.Path).Render(Hi, true));
    }

    [Fact]
    public void Messages_are_mappings_with_only_the_fields_that_are_set()
    {
        var t = ChatTemplate.FromText("{% for m in messages %}{{ m|tojson }}|{{ m.name is defined }}{{ m.tool_calls is defined }}{{ m.content is none }}\n{% endfor %}", "t");
        ChatMessage[] chat =
        [
            new("user", "hé \"q\""),
            new("assistant", null) { ToolCalls = [new ToolCall("get_weather", "{\"city\": \"Paris\"}", "call_1")] },
            new("tool", "21") { ToolCallId = "call_1", Name = "get_weather" },
            new("assistant", "done") { ReasoningContent = "easy" },
            new("user", null) { Parts = [ContentPart.OfText("a"), new ContentPart("image")] },
        ];
        Assert.Equal(
            "{\"role\": \"user\", \"content\": \"hé \\\"q\\\"\"}|FalseFalseFalse\n"
            + "{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call_1\", \"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}}]}|FalseTrueTrue\n"
            + "{\"role\": \"tool\", \"content\": \"21\", \"name\": \"get_weather\", \"tool_call_id\": \"call_1\"}|TrueFalseFalse\n"
            + "{\"role\": \"assistant\", \"content\": \"done\", \"reasoning_content\": \"easy\"}|FalseFalseFalse\n"
            + "{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"a\"}, {\"type\": \"image\"}]}|FalseFalseFalse\n",
            t.Render(chat, false));
    }

    [Fact]
    public void Extra_variables_arrive_with_json_types()
    {
        var t = ChatTemplate.FromText("{{ n }} {{ f }} {{ whole }} {{ flag is false }} {{ tools[0].function.name }} {{ none_value is none }} {{ big }}", "t");
        var vars = new Dictionary<string, JsonNode?>
        {
            ["n"] = 3, ["f"] = 2.5, ["whole"] = JsonNode.Parse("1.0"), ["flag"] = false,
            ["tools"] = JsonNode.Parse("[{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]"),
            ["none_value"] = null, ["big"] = JsonNode.Parse("123456789012"),
        };
        Assert.Equal("3 2.5 1.0 True f True 123456789012", t.Render(Hi, true, vars));
        var e = Assert.Throws<LayerSteerException>(() => t.Render(Hi, true, new Dictionary<string, JsonNode?> { ["messages"] = 1 }));
        Assert.Contains("\"messages\" is set by Render", e.Message);
    }

    [Fact]
    public void Strftime_now_reads_the_clock_and_limits_can_be_set()
    {
        var t = ChatTemplate.FromText("Today is {{ strftime_now('%d %B %Y, %-I:%M %p') }}.", "t") with { Clock = new FixedClock(new DateTimeOffset(2025, 1, 9, 15, 4, 0, TimeSpan.Zero)) };
        Assert.Equal("Today is 09 January 2025, 3:04 PM.", t.Render(Hi, true));
        var loop = ChatTemplate.FromText("{% for i in range(50) %}{% endfor %}", "t");
        Assert.Equal("", loop.Render(Hi, true));
        Assert.Contains("more than 10 loop iterations", Assert.Throws<LayerSteerException>(() => (loop with { Limits = new TemplateLimits(MaxSteps: 10) }).Render(Hi, true)).Message);
    }

    public static TheoryData<string, string> BrokenConfigs => new()
    {
        { "{\"chat_template\": \"line one\\n{% if %}\"}", "tokenizer_config.json chat_template, line 2: expected an expression, got '%}'" },
        { "{\"chat_template\": \"a\\nb\\n{{ messages[0].content.nothing.more }}\"}", "tokenizer_config.json chat_template, line 3: 'str object' has no attribute 'nothing'" },
        { "{\"chat_template\": \"{{ raise_exception('no system role') }}\"}", "tokenizer_config.json chat_template, line 1: the template raised an error: no system role" },
        { "{\"chat_template\": 5}", "chat_template must be a string or a list" },
        { "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"x\"}]}", "chat_template lists no \"default\" template (it has \"tool_use\")" },
        { "{\"chat_template\": [{\"name\": \"default\"}]}", "chat_template[0] has no \"template\"" },
        { "{\"chat_template\": [{\"name\": \"default\", \"template\": \"a\"}, {\"name\": \"default\", \"template\": \"b\"}]}", "the name \"default\" appears twice" },
        { "{\"chat_template\": [{\"name\": \"default\", \"template\": \"{% for %}\"}]}", "tokenizer_config.json chat_template[\"default\"], line 1:" },
        { "{\"chat_template\": \"x\", ", "not valid JSON" },
        { "{\"bos_token\": 7, \"chat_template\": \"x\"}", "bos_token must be a string or an object" },
    };

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public void Broken_templates_and_configs_name_the_file(string json, string problem)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("tokenizer_config.json"), json);
        var e = Assert.Throws<LayerSteerException>(() => ChatTemplate.Load(dir.Path).Render(Hi, true));
        Assert.Contains(dir.File("tokenizer_config.json"), e.Message);
        Assert.Contains(problem, e.Message);
    }
}
