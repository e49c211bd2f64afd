using LayerSteer.ChatTemplates;
using LayerSteer.Formats;
using LayerSteer.Formats.Gguf;
using LayerSteer.Intervention;
using LayerSteer.Tasks;
using LayerSteer.Tasks.Opinions;
using LayerSteer.Tokenizers;

namespace LayerSteer.Verification;

/// <summary>Every parser a user's file reaches, as a function of raw bytes: what the fuzz harness (tools/fuzz) feeds and
/// what the corpus replay test runs. A target may return normally or throw <see cref="LayerSteerException"/>; any other
/// exception, a hang or unbounded memory is a defect.</summary>
public static class ParserTargets
{
    /// <summary>Target name → (file name the bytes are written as, parse).</summary>
    public static readonly IReadOnlyDictionary<string, (string File, Action<string> Parse)> All = new Dictionary<string, (string, Action<string>)>
    {
        ["safetensors"] = ("model.safetensors", path => { using var f = new SafeTensorsFile(path); foreach (var n in f.Names) f.ReadF32(n); }),
        ["sharded-index"] = (WeightSources.IndexFile, path => { using var w = WeightSources.Open(Path.GetDirectoryName(path)!); }),
        ["config"] = ("config.json", path => ModelConfig.Load(path)),
        ["tokenizer-json"] = ("tokenizer.json", path => Exercise(TokenizerLoader.LoadFile(path))),
        ["vocab-merges"] = ("vocab-and-merges.txt", path => Exercise(VocabMerges(path))),
        ["tokenizer-bin"] = ("tokenizer.bin", path => Exercise(Llama2cTokenizer.Load(path))),
        ["llama2c-checkpoint"] = ("model.bin", path => Llama2cCheckpoint.Load(path)),
        ["vector"] = ("v.safetensors", path => SteeringVector.Load(path)),
        ["function-vector"] = ("fv.safetensors", path => FunctionVectorFile.Load(path)),
        ["task"] = ("task.json", path => TaskPairs.Load(path)),
        ["survey-jsonl"] = ("survey.jsonl", path => UserSurveyLoader.Load(path)),
        ["survey-csv"] = ("survey.csv", path => UserSurveyLoader.Load(path)),
        ["gguf-control-vector"] = ("control.gguf", path => ControlVectorFile.Read(path)),
        ["chat-template"] = ("chat_template.jinja", path => ChatTemplate.FromFile(path).Render(Conversation(), addGenerationPrompt: true)),
    };

    // Built per call: under the fuzzer, instrumented types must not be touched before AFL attaches (static initialisers run first).
    static ChatMessage[] Conversation() => [new("system", "Give the opposite."), new("user", "hot"), new("assistant", "cold"), new("user", "up\ud83d")];

    /// <summary>Writes <paramref name="input"/> as the target's file in a fresh folder under <paramref name="scratch"/> and parses it.</summary>
    public static void Run(string target, ReadOnlySpan<byte> input, string scratch)
    {
        var (file, parse) = All[target];
        string dir = Path.Combine(scratch, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, file);
            File.WriteAllBytes(path, input.ToArray());
            parse(path);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    // One input holds both files of the vocab.json + merges.txt format: the vocabulary, a line "#merges", the merges.
    static ITokenizer VocabMerges(string path)
    {
        string text = File.ReadAllText(path);
        int cut = text.IndexOf("\n#merges\n", StringComparison.Ordinal);
        string dir = Path.GetDirectoryName(path)!, vocab = Path.Combine(dir, "vocab.json"), merges = Path.Combine(dir, "merges.txt");
        File.WriteAllText(vocab, cut < 0 ? text : text[..cut]);
        File.WriteAllText(merges, cut < 0 ? "" : text[(cut + 9)..]);
        return VocabMergesFiles.Load(vocab, merges);
    }

    // A loaded tokenizer must also encode and decode hostile text.
    static void Exercise(ITokenizer t)
    {
        foreach (var s in new[] { "hello world", "\ud83d", "a\uFFFEb", "  \n\t", "" })
        {
            var ids = t.Encode(s);
            t.Decode(ids);
        }
    }
}
