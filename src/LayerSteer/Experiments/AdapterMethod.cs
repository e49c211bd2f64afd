using LayerSteer.Adapters;
using LayerSteer.Intervention;
using LayerSteer.Tasks;
using LayerSteer.Training;

namespace LayerSteer.Experiments;

/// <summary>Settings of the parameter-efficient baselines: LoRA's rank, α and placement, the soft prompt's length,
/// and AdamW per kind (all trained on the vector's N pairs with the vector's loss).</summary>
public sealed record AdapterSettings
{
    public int LoraRank { get; init; } = 4;
    public float LoraAlpha { get; init; } = 8;
    /// <summary>LoRA on every layer instead of only the intervention layer ℓ.</summary>
    public bool LoraAllLayers { get; init; }
    public int SoftPromptTokens { get; init; } = 8;
    // Learning rates: the best of {1e-3, 3e-3, 1e-2, 3e-2} per kind on WordWorld (antonym, english-french, seed 0; README).
    public AdamWOptions LoraOptimizer { get; init; } = new() { Lr = 3e-3f };
    public AdamWOptions Ia3Optimizer { get; init; } = new() { Lr = 3e-2f };
    public AdamWOptions SoftPromptOptimizer { get; init; } = new() { Lr = 3e-2f };
}

/// <summary>LoRA, IA3 or a soft prompt trained on the N training pairs with the full-sequence task loss, then evaluated 0-shot.</summary>
public sealed class AdapterMethod(AdapterKind kind, AdapterSettings s, VectorSettings vector) : Method
{
    public override string Name => AdapterKinds.Name(kind);
    public override string Key => CacheKey.Of("method", Name, "layer", vector.Layer, "loss", vector.Loss, "lora_rank", s.LoraRank, "lora_alpha", s.LoraAlpha,
        "lora_all_layers", s.LoraAllLayers, "soft_prompt_tokens", s.SoftPromptTokens, "steps", Optimizer.Steps, "lr", Optimizer.Lr,
        "weight_decay", Optimizer.WeightDecay, "clip", Optimizer.ClipNorm, "beta1", Optimizer.Beta1, "beta2", Optimizer.Beta2, "eps", Optimizer.Eps);

    AdamWOptions Optimizer => kind switch { AdapterKind.Lora => s.LoraOptimizer, AdapterKind.Ia3 => s.Ia3Optimizer, _ => s.SoftPromptOptimizer };

    /// <summary>A fresh adapter for this kind (LoRA's random A is drawn from the split's seed).</summary>
    public Adapter Create(MethodContext c) => kind switch
    {
        AdapterKind.Lora => Adapter.Lora(c.Model, s.LoraAllLayers ? Enumerable.Range(0, c.Model.Config.NumLayers).ToArray() : [vector.Layer],
            s.LoraRank, s.LoraAlpha, c.Split.Seed),
        AdapterKind.Ia3 => Adapter.Ia3(c.Model),
        _ => Adapter.SoftPrompt(c.Model, c.Encoder.Tokenizer.Encode(" " + TaskDescription.For(c.Task?.Name ?? ""), addSpecialTokens: false), s.SoftPromptTokens),
    };

    public override MethodScore Run(MethodContext c)
    {
        var adapter = Create(c);
        var path = new FullSequencePath(adapter, c.Split.Train.Select(c.Encoder.Example).ToArray(), new TaskLoss.Nll(vector.Loss));
        var fit = AdapterTraining.Train(path, Optimizer);
        var steer = adapter.ToSteering();
        var test = c.Evaluator.Evaluate(c.Split.Test, null, steer);
        var train = c.Evaluator.Evaluate(c.Split.Train, null, steer);
        return MethodScore.TestAndTrain(test, train, new MethodDetails
        {
            InitialLoss = fit.InitialLoss, FinalLoss = fit.FinalLoss, Steps = fit.Losses.Count, Lr = Optimizer.Lr, Parameters = adapter.Count,
        });
    }
}
