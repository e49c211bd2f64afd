using LayerSteer.ChatTemplates;
using LayerSteer.Tokenizers;

namespace LayerSteer.Chat;

/// <summary>Chat messages → prompt ids for one model: its chat template (tokenizer_config.json's chat_template, a
/// --chat-template file, or the documented plain fallback) rendered with a generation prompt, encoded without added special
/// tokens (the template writes BOS itself).</summary>
public sealed class ChatPrompter(ChatTemplate template, ITokenizer tokenizer)
{
    public ChatTemplate Template => template;

    /// <summary>The template of the model in <paramref name="modelDir"/>, or the file <paramref name="templateFile"/> when given.</summary>
    public static ChatPrompter For(string modelDir, ITokenizer tokenizer, string? templateFile = null) =>
        new(templateFile is null ? ChatTemplate.Load(modelDir) : ChatTemplate.FromFile(templateFile, modelDir), tokenizer);

    /// <summary>The rendered text for the messages, ending where the assistant's reply begins.</summary>
    public string Render(IReadOnlyList<ChatMessage> messages) => template.Render(messages, addGenerationPrompt: true);

    public int[] Encode(IReadOnlyList<ChatMessage> messages) => tokenizer.Encode(Render(messages), addSpecialTokens: false);
}
