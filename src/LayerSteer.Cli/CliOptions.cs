using System.CommandLine;
using LayerSteer.Experiments;

namespace LayerSteer.Cli;

/// <summary>Options shared by several commands, defined once.</summary>
public static class CliOptions
{
    /// <summary>--model; when <paramref name="defaulted"/>, a missing --model means the default model (<see cref="DefaultModel"/>),
    /// and it is a parse error only when there is none.</summary>
    public static Option<string> Model(bool defaulted = true)
    {
        var option = new Option<string>("--model")
        {
            Description = "Model: a folder (config.json + safetensors), a llama2.c .bin, or ORG/NAME in the Hugging Face cache" +
                          (defaulted ? $"; default: {DefaultModel.Describe}, the first that exists" : ""),
        };
        if (!defaulted) return option;
        option.DefaultValueFactory = _ => DefaultModel.Find()!;
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is null) r.AddError($"no --model given and no default model found (looked for {DefaultModel.Describe})");
        });
        return option;
    }

    /// <summary>How many seeds (splits) results are averaged over: mean ± std is over seeds 0..n−1.</summary>
    public static Option<int> Seeds(string per) => new("--seeds") { Description = $"Seeds (splits) {per}; results are mean ± std over them", DefaultValueFactory = _ => RunDefaults.Seeds };

    public static Option<int> Seed(int value = 0) => new("--seed") { Description = "Random seed", DefaultValueFactory = _ => value };

    /// <summary>An output file option; <see cref="CheckWritable"/> proves its folder can be written before heavy work.</summary>
    public static Option<string> Out(string what) => new("--out") { Description = $"Where to write the {what}", Required = true };

    /// <summary>Fails unless a file can be created in <paramref name="path"/>'s folder (an error before the model loads, not after a fit).</summary>
    public static void CheckWritable(string path, string option = "--out")
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir)) throw new LayerSteerException($"{option} {path}: folder {dir} does not exist");
        string probe = Path.Combine(dir, $".layersteer-write-test-{Environment.ProcessId}");
        try { File.WriteAllBytes(probe, []); File.Delete(probe); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new LayerSteerException($"{option} {path}: cannot write in {dir} ({e.Message})"); }
    }
}
