using System.Text.Json;

namespace LayerSteer.Testbed;

/// <summary>Everything a testbed build depends on besides the data: the architecture, the seed and the training schedule.
/// Each default is defined here once (the CLI reads them).</summary>
public sealed record TestbedSettings
{
    public TestbedShape Shape { get; init; } = new();
    public int Seed { get; init; }
    public int Steps { get; init; } = 10000;
    public int Batch { get; init; } = 8;
    /// <summary>Each batch runs as this many data-parallel shards, one thread each. Fixed rather than the machine's core
    /// count, so the arithmetic (the order gradients are summed in) is the same on every machine.</summary>
    public int Shards { get; init; } = 2;
    /// <summary>Tokens per training sequence (each has Seq + 1 with its last target).</summary>
    public int Seq { get; init; } = 128;
    public float Lr { get; init; } = 3e-3f;
    /// <summary>Share of the steps spent warming up linearly (at least one step).</summary>
    public double WarmupFraction { get; init; } = 0.05;
    public int WarmupSteps => Math.Max(1, (int)(WarmupFraction * Steps));
    public float WeightDecay { get; init; } = 0.01f;
    public float ClipNorm { get; init; } = 1f;
    public double CheckpointMinutes { get; init; } = 3;

    public void Validate()
    {
        Shape.Validate();
        if (!(Lr > 0) || !float.IsFinite(Lr)) throw new LayerSteerException($"--lr must be a positive number (got {Lr})");
        if (Steps < 1 || Batch < 1 || Seq < 2) throw new LayerSteerException("--steps and --batch must be at least 1 and --seq at least 2");
        if (Seq > Shape.MaxPositions) throw new LayerSteerException($"--seq {Seq} exceeds the model's {Shape.MaxPositions} positions");
    }

    /// <summary>The settings as JSON: a checkpoint records them, and --resume refuses a checkpoint made with others.</summary>
    public string ToJson() => JsonSerializer.Serialize(this with { CheckpointMinutes = 0 });
}

/// <summary>Where the repository keeps the function_vectors task files the testbed is built from.</summary>
public static class TestbedData
{
    /// <summary>data/function_vectors of the repository holding the current directory or this program (null when neither is in one).</summary>
    public static string? DefaultDir()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
            {
                string candidate = Path.Combine(d.FullName, "data", "function_vectors");
                if (File.Exists(Path.Combine(d.FullName, "LayerSteer.slnx")) && Directory.Exists(candidate)) return candidate;
            }
        return null;
    }
}
