using System.CommandLine;
using LayerSteer.Experiments;
using LayerSteer.Intervention;
using LayerSteer.Training;

namespace LayerSteer.Cli;

/// <summary>Options of the Δ fit, shared by fit/sweep-layers/compose --refit/compare/opinions; defaults from <see cref="FitOptions"/>.</summary>
public sealed class FitCliOptions
{
    static readonly FitOptions Defaults = new();
    public Option<int?> Layer { get; } = new("--layer") { Description = "0-based layer ℓ (default round(L/8), the paper's 4 of 32)" };
    public Option<float> Gamma { get; } = new("--gamma") { Description = "γ, L1 weight", DefaultValueFactory = _ => Defaults.Gamma };
    public Option<float> Lambda { get; } = new("--lambda") { Description = "λ, per-head group-lasso weight", DefaultValueFactory = _ => Defaults.Lambda };
    public Option<int> Steps { get; } = new("--steps") { Description = "Maximum optimisation steps", DefaultValueFactory = _ => Defaults.Steps };
    public Option<float> Lr { get; } = new("--lr") { Description = "Learning rate", DefaultValueFactory = _ => Defaults.Lr };
    public Option<string> Optimizer { get; } = new("--optimizer") { Description = "prox-adam (exact zeros) or adam (subgradient)", DefaultValueFactory = _ => "prox-adam" };
    public Option<string> Apply { get; } = new("--apply") { Description = "last: Δ at the last prompt token (paper); all: also at every generated token; every: at every position, prompt included (llama.cpp)", DefaultValueFactory = _ => "last" };
    public Option<string> Site { get; } = new("--site") { Description = "o-proj-input: the attention heads' outputs (paper); block-output: the residual stream after layer ℓ (where llama.cpp, vLLM and repeng add vectors)", DefaultValueFactory = _ => VectorSites.CliName(VectorSite.OProjInput) };
    public Option<string> Loss { get; } = new("--loss") { Description = "full: mean over all target tokens (teacher forced); first: first target token (paper)", DefaultValueFactory = _ => "full" };

    public FitCliOptions()
    {
        Optimizer.AcceptOnlyFromAmong("prox-adam", "adam");
        Apply.AcceptOnlyFromAmong(ApplyModes.Names);
        Site.AcceptOnlyFromAmong(VectorSites.CliNames);
        Loss.AcceptOnlyFromAmong("full", "first");
    }

    public void AddTo(Command c) { AddOptimiserTo(c); c.Options.Add(Site); c.Options.Add(Apply); c.Options.Add(Loss); }

    /// <summary>Only layer and optimiser options (for objectives where apply/loss do not apply, e.g. opinions).</summary>
    public void AddOptimiserTo(Command c) { foreach (var o in new Option[] { Layer, Gamma, Lambda, Steps, Lr, Optimizer }) c.Options.Add(o); }

    /// <summary>The settings the options give on a model with <paramref name="layers"/> layers, checked.</summary>
    public VectorSettings Settings(ParseResult pr, int layers)
    {
        int layer = pr.GetValue(Layer) ?? DefaultLayers.Vector(layers);
        if (layer < 0 || layer >= layers) throw new LayerSteerException($"--layer {layer} is outside 0..{layers - 1} (layers are 0-based)");
        bool tokenTask = pr.CommandResult.Command.Options.Contains(Apply);
        var fit = Defaults with
        {
            Gamma = pr.GetValue(Gamma), Lambda = pr.GetValue(Lambda), Steps = pr.GetValue(Steps), Lr = pr.GetValue(Lr),
            Optimizer = pr.GetValue(Optimizer) == "adam" ? OptimizerKind.Adam : OptimizerKind.ProxAdam,
        };
        if (!(fit.Gamma >= 0 && fit.Lambda >= 0 && float.IsFinite(fit.Gamma) && float.IsFinite(fit.Lambda)))
            throw new LayerSteerException($"--gamma and --lambda must be finite and ≥ 0 (got {fit.Gamma}, {fit.Lambda})");
        if (!(fit.Lr > 0 && float.IsFinite(fit.Lr))) throw new LayerSteerException($"--lr must be a finite number > 0 (got {fit.Lr})");
        if (fit.Steps < 1) throw new LayerSteerException($"--steps must be at least 1 (got {fit.Steps})");
        return new VectorSettings(layer,
            tokenTask ? ApplyModes.TryParse(pr.GetValue(Apply))!.Value : ApplyMode.Last,
            tokenTask && pr.GetValue(Loss) == "first" ? TokenReduction.First : TokenReduction.Mean, fit)
        { Site = tokenTask ? VectorSites.TryParse(pr.GetValue(Site))!.Value : VectorSite.OProjInput };
    }
}
