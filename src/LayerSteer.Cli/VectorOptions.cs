using System.CommandLine;
using LayerSteer.Intervention;
using LayerSteer.Models;

namespace LayerSteer.Cli;

/// <summary>--vector/--scale options: one or several task vectors, summed with weights (composition).</summary>
public static class VectorOptions
{
    public static Option<string[]> Vectors() => new("--vector") { Description = "Task vector .safetensors (repeatable: vectors are summed)" };

    public static Option<float[]> Scales() => new("--scale") { Description = "Scale α per vector, in --vector order (default 1)" };

    /// <summary>The files, read and validated (before the model loads), with their scales.</summary>
    public static List<(SteeringVector Vector, float Scale, string Path)> Read(string[]? paths, float[]? scales)
    {
        paths ??= [];
        scales ??= [];
        if (scales.Length > paths.Length) throw new LayerSteerException($"{scales.Length} --scale values for {paths.Length} --vector files");
        foreach (var s in scales) if (!float.IsFinite(s)) throw new LayerSteerException($"--scale {s} is not a finite number");
        return paths.Select((p, i) => (SteeringVector.Load(p), i < scales.Length ? scales[i] : 1f, p)).ToList();
    }

    /// <summary>Fails unless every vector was fitted on <paramref name="model"/>.</summary>
    public static void Check(IEnumerable<(SteeringVector Vector, float Scale, string Path)> vectors, Transformer model)
    {
        foreach (var (v, _, path) in vectors) v.CheckModel(model, path);
    }

    public static List<Addition> Additions(IEnumerable<(SteeringVector Vector, float Scale, string Path)> vectors) =>
        vectors.Select(v => v.Vector.ToAddition(v.Scale)).ToList();
}
