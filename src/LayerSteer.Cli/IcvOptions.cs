using System.CommandLine;
using LayerSteer.Experiments;

namespace LayerSteer.Cli;

/// <summary>Options of the ICV baseline (compare).</summary>
public sealed class IcvOptions
{
    public Option<float> Strength { get; } = new("--icv-strength") { Description = "ICV strength λ (direction-only steering after every layer)", DefaultValueFactory = _ => new IcvSettings().Strength };

    public void AddTo(Command c) => c.Options.Add(Strength);

    public IcvSettings Settings(ParseResult pr)
    {
        float s = pr.GetValue(Strength);
        if (!float.IsFinite(s) || s < 0) throw new LayerSteerException($"--icv-strength must be a finite number ≥ 0 (got {s})");
        return new IcvSettings(s);
    }
}
