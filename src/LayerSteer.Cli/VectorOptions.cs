using System.CommandLine;
using LayerSteer.Intervention;
using LayerSteer.Models;

namespace LayerSteer.Cli;

/// <summary>--vector/--scale options: one or several task vectors, summed with weights (composition).</summary>
public static class VectorOptions
{
    public static Option<string[]> Vectors() => new("--vector") { Description = "Task vector .safetensors (repeatable: vectors are summed)" };

    public static Option<float[]> Scales() => new("--scale") { Description = "Scale α per vector, in --vector order (default 1)" };

    public static List<Addition> Load(string[]? paths, float[]? scales, Transformer model)
    {
        paths ??= [];
        scales ??= [];
        if (scales.Length > paths.Length) throw new LayerSteerException($"{scales.Length} --scale values for {paths.Length} --vector files");
        return paths.Select((p, i) =>
        {
            var v = SteeringVector.Load(p);
            v.CheckModel(model, p);
            return new Addition(v.Layer, v.Delta, i < scales.Length ? scales[i] : 1f, v.Apply);
        }).ToList();
    }
}
