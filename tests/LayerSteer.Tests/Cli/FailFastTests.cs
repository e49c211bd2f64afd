using System.Diagnostics;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Cli;

/// <summary>Cheap inputs are validated before the weights load: on a model folder whose weights file is garbage, every
/// command still reports the bad task, vector file, output folder or data path (had it loaded the weights first, the
/// error would name model.safetensors).</summary>
public class FailFastTests
{
    static string HeavyModel(TempDir tmp)
    {
        string dir = tmp.File("heavy");
        Directory.CreateDirectory(dir);
        File.Copy(Shared.Path("models", "wordworld-v1", "config.json"), Path.Combine(dir, "config.json"));
        File.Copy(Shared.Path("models", "wordworld-v1", "tokenizer.json"), Path.Combine(dir, "tokenizer.json"));
        File.WriteAllBytes(Path.Combine(dir, "model.safetensors"), new byte[4096]);   // not a safetensors file at all
        return dir;
    }

    [SharedTheory]
    [InlineData("unknown task", "fit", "--task", "no-such-task", "--out", "v.safetensors")]
    [InlineData("unknown task", "eval", "--task", "no-such-task")]
    [InlineData("unknown task", "fv", "--task", "no-such-task", "--out", "f.safetensors")]
    [InlineData("unknown task", "sweep-layers", "--task", "no-such-task")]
    [InlineData("unknown task", "compare", "--tasks", "antonym,no-such-task")]
    [InlineData("vector file not found", "compose", "--task", "antonym>english-french", "--vector", "MISSING")]
    [InlineData("vector file not found", "eval", "--task", "antonym", "--vector", "missing.safetensors")]
    [InlineData("vector file not found", "generate", "--prompt", "hi", "--vector", "missing.safetensors")]
    [InlineData("does not exist", "fit", "--task", "antonym", "--out", "no/such/folder/v.safetensors")]
    [InlineData("cannot take 5000 training pairs", "fit", "--task", "antonym", "--shots", "5000", "--out", "v.safetensors")]
    [InlineData("unknown method", "compare", "--methods", "zero-shot,telepathy")]
    [InlineData("--shard must be K/N", "compare", "--shard", "5/4")]
    [InlineData("not found", "opinions", "--data", "no-such-survey.jsonl")]
    public void TheErrorArrivesBeforeTheWeightsLoad(string expected, params string[] args)
    {
        using var tmp = new TempDir();
        string model = HeavyModel(tmp);
        var argv = args.Select(a => a == "MISSING" ? tmp.File("missing.safetensors") : a).Append("--model").Append(model).ToArray();
        var sw = Stopwatch.StartNew();
        var r = CliProcess.RunIn(tmp.Path, argv);
        Assert.Equal(1, r.Exit);
        Assert.Contains(expected, r.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("model.safetensors", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");   // generous for a loaded CI machine; ≈ 0.3 s here
    }

    [SharedFact]
    public void TheHeavyModelReallyFailsToLoad()
    {
        using var tmp = new TempDir();
        var r = CliProcess.Run("info", "--model", HeavyModel(tmp));
        Assert.Equal(1, r.Exit);
        Assert.Contains("model.safetensors", r.Stderr);
    }
}
