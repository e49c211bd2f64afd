using LayerSteer.Intervention;

namespace LayerSteer.Experiments;

/// <summary>Settings of the ICV baseline: the steering strength λ (the reference's 0.1 by default).</summary>
public sealed record IcvSettings(float Strength = 0.1f);

/// <summary>In-context vectors (Liu et al.): the ICV of the N training pairs steers the zero-shot prompt and every
/// generated token after every layer.</summary>
public sealed class IcvMethod(IcvSettings s) : Method
{
    public override string Name => MethodKinds.Name(MethodKind.Icv);
    public override string Key => CacheKey.Of("method", Name, "strength", s.Strength);

    public override MethodScore Run(MethodContext c)
    {
        // x and y each alone, with the tokenizer's special tokens (as the reference), both written as the template writes
        // a target (fv: " y"), so the difference reflects x → y and not a change of leading space.
        int[] Ids(string text) => c.Encoder.Tokenizer.Encode(c.Encoder.Template.Target(text));
        var train = c.Split.Train;
        var icv = InContextVector.Extract(c.Model, train.Select(p => Ids(p.Input)).ToArray(), train.Select(p => Ids(p.Output)).ToArray());
        var steering = new Steering { Hook = _ => icv.Hook(s.Strength) };
        var test = c.Evaluator.Evaluate(c.Split.Test, null, steering);
        var trainScore = c.Evaluator.Evaluate(train, null, steering);
        return MethodScore.TestAndTrain(test, trainScore, new MethodDetails
        {
            IcvStrength = s.Strength, IcvNorms = icv.Norms.Select(n => (double)n).ToArray(), IcvVarianceShare = icv.VarianceShare,
        });
    }
}
