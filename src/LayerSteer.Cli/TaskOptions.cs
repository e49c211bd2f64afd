using System.CommandLine;
using LayerSteer.Intervention;
using LayerSteer.Tasks;

namespace LayerSteer.Cli;

/// <summary>Options naming a task and how its prompts and vectors are made, shared by fit/eval/demo/sweep-layers/compose.</summary>
public sealed class TaskOptions
{
    public Option<string> Task { get; } = new("--task") { Description = "Task: a JSON file of {input, output} pairs, a NAME (antonym, english-french, …), or A>B (A then B)", Required = true };
    public Option<string?> Data { get; } = new("--data") { Description = "Folder to look up task NAMEs in (before the model's tasks/ and ../shared/data/function_vectors)" };
    public Option<string> Template { get; } = new("--template") { Description = "Prompt template: paper ({x}: → {y}) or fv (Q: {x}\\nA: → {y})", DefaultValueFactory = _ => "fv" };
    public Option<int> Shots { get; } = new("--shots") { Description = "Training pairs N (and demonstrations for few-shot)", DefaultValueFactory = _ => 10 };
    public Option<int> TestSize { get; } = new("--test-size") { Description = "Held-out test pairs per seed", DefaultValueFactory = _ => 200 };

    /// <summary>Adds the options; without <paramref name="withTask"/> the command names its tasks another way (compare's --tasks).</summary>
    public void AddTo(Command c, bool withTask = true)
    {
        if (withTask) c.Options.Add(Task);
        c.Options.Add(Data); c.Options.Add(Template); c.Options.Add(Shots); c.Options.Add(TestSize);
    }

    public TaskPairs Resolve(ParseResult pr, string modelPath) => Resolve(pr, pr.GetValue(Task)!, modelPath);

    /// <summary>A task spec looked up in --data, the model folder's tasks/, then ../shared.</summary>
    public TaskPairs Resolve(ParseResult pr, string spec, string modelPath) =>
        TaskPairs.Resolve(spec, pr.GetValue(Data), Directory.Exists(modelPath) ? modelPath : null);
}

/// <summary>Options of the Δ fit, shared by fit/demo/sweep-layers/compose --refit.</summary>
public sealed class FitCliOptions
{
    public Option<int?> Layer { get; } = new("--layer") { Description = "0-based layer ℓ (default round(L/8))" };
    public Option<float> Gamma { get; } = new("--gamma") { Description = "γ, L1 weight", DefaultValueFactory = _ => 0.01f };
    public Option<float> Lambda { get; } = new("--lambda") { Description = "λ, per-head group-lasso weight", DefaultValueFactory = _ => 0.01f };
    public Option<int> Steps { get; } = new("--steps") { Description = "Maximum optimisation steps", DefaultValueFactory = _ => 200 };
    public Option<float> Lr { get; } = new("--lr") { Description = "Learning rate", DefaultValueFactory = _ => 0.1f };
    public Option<string> Optimizer { get; } = new("--optimizer") { Description = "prox-adam (exact zeros) or adam (subgradient)", DefaultValueFactory = _ => "prox-adam" };
    public Option<string> Apply { get; } = new("--apply") { Description = "last: Δ at the last prompt token (paper); all: also at every generated token", DefaultValueFactory = _ => "last" };
    public Option<string> Loss { get; } = new("--loss") { Description = "full: mean over all target tokens (teacher forced); first: first target token (paper)", DefaultValueFactory = _ => "full" };

    public FitCliOptions()
    {
        Optimizer.AcceptOnlyFromAmong("prox-adam", "adam");
        Apply.AcceptOnlyFromAmong("last", "all");
        Loss.AcceptOnlyFromAmong("full", "first");
    }

    public void AddTo(Command c) { AddOptimiserTo(c); c.Options.Add(Apply); c.Options.Add(Loss); }

    /// <summary>Only layer and optimiser options (for objectives where apply/loss do not apply, e.g. opinions).</summary>
    public void AddOptimiserTo(Command c) { foreach (var o in new Option[] { Layer, Gamma, Lambda, Steps, Lr, Optimizer }) c.Options.Add(o); }

    public VectorSettings Settings(ParseResult pr, int layers)
    {
        int layer = pr.GetValue(Layer) ?? VectorSettings.DefaultLayer(layers);
        bool tokenTask = pr.CommandResult.Command.Options.Contains(Apply);
        return new VectorSettings(layer,
            tokenTask && pr.GetValue(Apply) == "all" ? ApplyMode.All : ApplyMode.Last,
            tokenTask && pr.GetValue(Loss) == "first" ? TokenReduction.First : TokenReduction.Mean,
            new FitOptions
            {
                Gamma = pr.GetValue(Gamma), Lambda = pr.GetValue(Lambda), Steps = pr.GetValue(Steps), Lr = pr.GetValue(Lr),
                Optimizer = pr.GetValue(Optimizer) == "adam" ? OptimizerKind.Adam : OptimizerKind.ProxAdam,
            });
    }
}
