using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tasks;

namespace LayerSteer.Experiments;

/// <summary>What each engine's semantics costs (`compare --methods export-semantics`): the paper's Δ at the o_proj input
/// (what the transformers export applies), that Δ exported as W_O·Δ to the block output at every position (llama.cpp's
/// control vectors) and at the last prompt token only (EasySteer with prompt_positions [-1]), and a vector fitted directly
/// at the block output for each apply mode. The first three rows share one fit per (task, seed).</summary>
public static class ExportSemantics
{
    public const string Paper = "vector (o_proj input, last; transformers)";

    public static Method[] Methods(VectorSettings s)
    {
        var paper = s with { Site = VectorSite.OProjInput, Apply = ApplyMode.Last };
        var memo = new SplitMemo<FitResult>((m, enc, split) => VectorTraining.Fit(m, enc, split.Train, paper));
        return [
            new Exported(memo, paper, null, Paper),
            new Exported(memo, paper, ApplyMode.Every, "W_O·Δ at block output, every position (llama.cpp)"),
            new Exported(memo, paper, ApplyMode.Last, "W_O·Δ at block output, last prompt token (EasySteer)"),
            .. Enum.GetValues<ApplyMode>().Select(m => new Method.Vector(s with { Site = VectorSite.BlockOutput, Apply = m }, $"vector-residual, {ApplyModes.Name(m)}")),
        ];
    }

    /// <summary>The paper's Δ applied as fitted (<paramref name="residual"/> null), or as W_O·Δ after its layer at the
    /// <paramref name="residual"/> positions.</summary>
    sealed class Exported(SplitMemo<FitResult> memo, VectorSettings s, ApplyMode? residual, string name) : Method
    {
        public override string Name => name;
        public override string Key => CacheKey.Of("method", name, "vector", s.Key, "residual_apply", residual?.ToString() ?? "none");

        public override MethodScore Run(MethodContext c)
        {
            var fit = memo.Get(c.Model, c.Encoder, c.Split);
            var addition = residual is ApplyMode mode
                ? new Addition(s.Layer, OProjImage.Of(c.Model.Layers[s.Layer], fit.Delta), 1f, mode, VectorSite.BlockOutput)
                : s.Addition(fit.Delta);
            var steering = Steering.Add([addition]);
            var test = c.Evaluator.Evaluate(c.Split.Test, null, steering);
            var train = c.Evaluator.Evaluate(c.Split.Train, null, steering);
            var details = Method.Vector.Details(fit, s);   // W_O·Δ is dense: the support of Δ would describe another vector
            return MethodScore.TestAndTrain(test, train, residual == null ? details : details with { NonzeroHeads = null, NonzeroEntries = null });
        }
    }
}
