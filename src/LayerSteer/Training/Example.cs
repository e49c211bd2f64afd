namespace LayerSteer.Training;

/// <summary>One training example: prompt ids (ending with the relation token) and target ids.</summary>
public sealed record Example(int[] Prompt, int[] Target);
