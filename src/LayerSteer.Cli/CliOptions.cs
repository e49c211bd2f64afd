using System.CommandLine;

namespace LayerSteer.Cli;

/// <summary>Options shared by several commands, defined once.</summary>
public static class CliOptions
{
    public static Option<string> Model(bool required = true) => new("--model")
    {
        Description = "Model: a folder (config.json + safetensors), a llama2.c .bin, or ORG/NAME in the Hugging Face cache",
        Required = required,
    };

    /// <summary>How many seeds (splits) results are averaged over: mean ± std is over seeds 0..n−1.</summary>
    public static Option<int> Seeds(string per) => new("--seeds") { Description = $"Seeds (splits) {per}; results are mean ± std over them", DefaultValueFactory = _ => 5 };

    public static Option<int> Seed(int value = 0) => new("--seed") { Description = "Random seed", DefaultValueFactory = _ => value };
}
