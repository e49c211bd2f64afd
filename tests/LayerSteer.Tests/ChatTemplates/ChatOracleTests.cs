using System.Text.Json;
using LayerSteer.ChatTemplates;
using LayerSteer.Tests.Support;
using LayerSteer.Tokenizers;
using Xunit.Abstractions;

namespace LayerSteer.Tests.ChatTemplates;

/// <summary>Every line of ../shared/tokenizers/*/chat_oracle.jsonl (rendered by @huggingface/jinja from the folder's
/// tokenizer_config.json; Python jinja2 in transformers' environment gives the same text): the same text, then the same ids.</summary>
public class ChatOracleTests(ITestOutputHelper output)
{
    public static TheoryData<string> Folders => new() { "llama3", "gemma3", "qwen3", "deepseek_v3" };

    sealed record OracleLine(IReadOnlyList<ChatMessage> Messages, bool AddGenerationPrompt, string? Rendered, int[]? Ids, string? Error);

    static List<OracleLine> ReadOracle(string path) => File.ReadLines(path).Where(l => l.Length > 0).Select(line =>
    {
        using var doc = JsonDocument.Parse(line);
        var j = doc.RootElement;
        var messages = j.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").ValueKind == JsonValueKind.String
            ? new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString())
            : new ChatMessage(m.GetProperty("role").GetString()!, null)
            {
                Parts = m.GetProperty("content").EnumerateArray().Select(p => new ContentPart(p.GetProperty("type").GetString()!, p.TryGetProperty("text", out var t) ? t.GetString() : null)).ToList(),
            }).ToList();
        string? error = j.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        return new OracleLine(messages, j.GetProperty("add_generation_prompt").GetBoolean(),
            j.TryGetProperty("rendered", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null,
            j.TryGetProperty("ids", out var ids) && ids.ValueKind == JsonValueKind.Array ? ids.EnumerateArray().Select(x => x.GetInt32()).ToArray() : null,
            error);
    }).ToList();

    [SharedTheory]
    [MemberData(nameof(Folders))]
    public void Renders_and_encodes_every_oracle_line_exactly(string folder)
    {
        string dir = Shared.Path("tokenizers", folder);
        var template = ChatTemplate.Load(dir);
        Assert.False(template.IsFallback);
        Assert.EndsWith("tokenizer_config.json chat_template", template.Source);
        var tokenizer = TokenizerLoader.Load(dir);
        var lines = ReadOracle(Path.Combine(dir, "chat_oracle.jsonl"));
        Assert.NotEmpty(lines);
        int rendered = 0, encoded = 0, errors = 0;
        foreach (var line in lines)
        {
            if (line.Error is not null)
            {
                var e = Assert.Throws<LayerSteerException>(() => template.Render(line.Messages, line.AddGenerationPrompt));
                Assert.Contains("tokenizer_config.json chat_template, line ", e.Message);
                Assert.Contains(line.Error, e.Message);
                errors++;
                continue;
            }
            string text = template.Render(line.Messages, line.AddGenerationPrompt);
            Assert.Equal(line.Rendered, text);
            rendered++;
            Assert.Equal(line.Ids, tokenizer.Encode(text, addSpecialTokens: false));
            encoded++;
        }
        output.WriteLine($"{folder}: {rendered}/{lines.Count} rendered, {encoded}/{lines.Count} ids, {errors} expected errors");
    }
}
