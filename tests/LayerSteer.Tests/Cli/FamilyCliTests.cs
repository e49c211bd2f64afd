using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LayerSteer.Inference;
using LayerSteer.Models;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Cli;

/// <summary>fit, eval, generate and info through the real binary on the Qwen 3, Gemma 3, Phi-3 and OLMo 2 fixtures.</summary>
public class FamilyCliTests
{
    public static TheoryData<string, int> Fixtures => new() { { "qwen3-tiny", 64 }, { "gemma3-tiny", 64 }, { "phi3-tiny", 64 }, { "olmo2-tiny", 48 } };

    const string Chars = "abcdefghijklmnopqrstuvwxyzQA: \n";

    // The fixtures have no tokenizer: beside copies of their config and weights goes a character-level BPE tokenizer.json
    // (no merges; <unk> = 0, then one id per character, 1..31), whose ids fit every fixture's vocabulary (≥ 87).
    static string WithTokenizer(TempDir tmp, string fixture)
    {
        string dir = Directory.CreateDirectory(tmp.File("model")).FullName;
        foreach (var f in new[] { "config.json", "model.safetensors" }) File.Copy(Path.Combine(Shared.Fixture(fixture), f), Path.Combine(dir, f));
        var vocab = new JsonObject { ["<unk>"] = 0 };
        for (int i = 0; i < Chars.Length; i++) vocab[Chars[i].ToString()] = i + 1;
        var tok = new JsonObject { ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab, ["merges"] = new JsonArray(), ["unk_token"] = "<unk>" } };
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), tok.ToJsonString());
        return dir;
    }

    // 16 word pairs (a reversal task) in the function_vectors format.
    static void WriteTask(string path)
    {
        string[] words = ["cat", "dog", "sun", "map", "pen", "cup", "hat", "box", "red", "top", "net", "fig", "jam", "owl", "bus", "kit"];
        var pairs = new JsonArray(words.Select(w => (JsonNode)new JsonObject { ["input"] = w, ["output"] = new string(w.Reverse().ToArray()) }).ToArray());
        File.WriteAllText(path, pairs.ToJsonString());
    }

    [SharedTheory]
    [MemberData(nameof(Fixtures))]
    public void FitEvalGenerateAndInfoRunOnTheFixture(string fixture, int siteWidth)
    {
        using var tmp = new TempDir();
        string model = WithTokenizer(tmp, fixture);
        WriteTask(tmp.File("reverse.json"));
        string vec = tmp.File("reverse.safetensors");

        var fit = CliProcess.Run("fit", "--model", model, "--task", "reverse", "--data", tmp.Path, "--shots", "6", "--test-size", "4",
            "--layer", "1", "--steps", "30", "--seed", "1", "--out", vec);
        Assert.True(fit.Exit == 0, fit.Stderr);
        var m = Regex.Match(fit.Stdout, @"task loss +│ (\d+\.\d+) → (\d+\.\d+)");
        Assert.True(m.Success, fit.Stdout);
        double before = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), after = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.True(after < before, $"{fixture}: the fit did not lower the task loss ({before} → {after})");
        Assert.StartsWith("fit loss=", fit.LastLine);

        var eval = CliProcess.Run("eval", "--model", model, "--task", "reverse", "--data", tmp.Path, "--shots", "6", "--test-size", "4",
            "--vector", vec, "--seeds", "1", "--judge", "none");
        Assert.True(eval.Exit == 0, eval.Stderr);
        Assert.Matches(@"^eval exact_match=\d\.\d{3}±\d\.\d{3} first_token=\d\.\d{3}±\d\.\d{3} n=\d+$", eval.LastLine);

        // generate prints exactly the library's greedy ids (the engine the parity tests prove), with and without the tokenizer.
        var lib = new Generator(ModelLoader.Load(Shared.Fixture(fixture)), null)
            .Generate([[1, 5, 9, 3, 2, 7, 12]], new SamplingOptions { MaxNewTokens = 8 })[0].Ids;
        foreach (var dir in new[] { model, Shared.Fixture(fixture) })
        {
            var gen = CliProcess.Run("generate", "--model", dir, "--prompt-ids", "1,5,9,3,2,7,12", "--max-new-tokens", "8", "--greedy", "--output", "ids");
            Assert.True(gen.Exit == 0, gen.Stderr);
            Assert.Equal(string.Join(' ', lib), gen.LastLine);
        }
        var steered = CliProcess.Run("generate", "--model", model, "--prompt", "Q: cat\nA:", "--max-new-tokens", "4", "--greedy", "--vector", vec);
        Assert.True(steered.Exit == 0, steered.Stderr);

        var info = CliProcess.Run("info", "--model", model);
        Assert.True(info.Exit == 0, info.Stderr);
        Assert.Matches($@"site width +│ {siteWidth} \(o_proj input", info.Stdout);
        if (fixture == "gemma3-tiny") Assert.Contains("sliding window 3 on layers 0-4; full on 5", info.Stdout);
    }
}
