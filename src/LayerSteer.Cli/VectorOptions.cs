using System.CommandLine;
using LayerSteer.Intervention;
using LayerSteer.Models;

namespace LayerSteer.Cli;

/// <summary>--vector/--scale options: one or several task vectors, summed with weights (composition).</summary>
public static class VectorOptions
{
    public static Option<string[]> Vectors() => new("--vector") { Description = "Task vector .safetensors (repeatable: vectors are summed)" };

    public static Option<float[]> Scales() => new("--scale") { Description = "Scale α per vector, in --vector order (default 1)" };

    /// <summary>The vectors as additions (checked against the model), and the words they were trained on.</summary>
    public static (List<Addition> Additions, HashSet<string> TrainInputs) Load(string[]? paths, float[]? scales, Transformer model)
    {
        paths ??= [];
        scales ??= [];
        if (scales.Length > paths.Length) throw new LayerSteerException($"{scales.Length} --scale values for {paths.Length} --vector files");
        var additions = new List<Addition>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < paths.Length; i++)
        {
            var v = SteeringVector.Load(paths[i]);
            v.CheckModel(model, paths[i]);
            additions.Add(new Addition(v.Layer, v.Delta, i < scales.Length ? scales[i] : 1f, v.Apply));
            seen.UnionWith(v.TrainInputs);
        }
        return (additions, seen);
    }
}
