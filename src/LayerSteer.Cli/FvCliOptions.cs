using System.CommandLine;
using LayerSteer.Experiments;
using LayerSteer.Intervention;

namespace LayerSteer.Cli;

/// <summary>Function-vector options: `--heads/--layer/--apply/--prompts` for `fv`, the same with a `--fv-` prefix for compare;
/// defaults from <see cref="FunctionVectorSettings"/>.</summary>
public sealed class FvCliOptions
{
    static readonly FunctionVectorSettings Defaults = FunctionVectorSettings.Default(0);
    public Option<int> Heads { get; }
    public Option<int?> Layer { get; }
    public Option<string> Apply { get; }
    public Option<int> Prompts { get; }

    public FvCliOptions(string prefix = "--")
    {
        Heads = new($"{prefix}heads") { Description = "Function vector: top heads by causal indirect effect (capped at the model's heads)", DefaultValueFactory = _ => Defaults.Heads };
        Layer = new($"{prefix}layer") { Description = "Function vector: 0-based layer whose output it is added to (default L/3)" };
        Apply = new($"{prefix}apply") { Description = "Function vector: all = last prompt token and every generated token (Todd et al.), last = last prompt token only", DefaultValueFactory = _ => Defaults.Apply == ApplyMode.All ? "all" : "last" };
        Prompts = new($"{prefix}prompts") { Description = "Function vector: clean and corrupted extraction prompts (from the training pairs)", DefaultValueFactory = _ => Defaults.Prompts };
        Apply.AcceptOnlyFromAmong("all", "last");
    }

    public void AddTo(Command c) { c.Options.Add(Heads); c.Options.Add(Layer); c.Options.Add(Apply); c.Options.Add(Prompts); }

    public FunctionVectorSettings Settings(ParseResult pr, int layers) =>
        new(pr.GetValue(Layer) ?? DefaultLayers.FunctionVector(layers), pr.GetValue(Heads),
            pr.GetValue(Apply) == "last" ? ApplyMode.Last : ApplyMode.All, pr.GetValue(Prompts));
}
