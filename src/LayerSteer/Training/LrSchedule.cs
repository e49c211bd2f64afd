namespace LayerSteer.Training;

/// <summary>Linear warm-up to the peak learning rate, then cosine decay to <see cref="MinFraction"/> of it at the last step.</summary>
public sealed record LrSchedule(float Peak, int WarmupSteps, int TotalSteps, float MinFraction = 0.1f)
{
    /// <summary>The learning rate of step <paramref name="step"/> (0-based).</summary>
    public float At(int step)
    {
        if (step < WarmupSteps) return Peak * (step + 1) / WarmupSteps;
        int decay = Math.Max(1, TotalSteps - 1 - WarmupSteps);
        double t = Math.Clamp((double)(step - WarmupSteps) / decay, 0, 1);
        double cos = 0.5 * (1 + Math.Cos(Math.PI * t));
        return (float)(Peak * (MinFraction + (1 - MinFraction) * cos));
    }
}
