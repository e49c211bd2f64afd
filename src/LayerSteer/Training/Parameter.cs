namespace LayerSteer.Training;

/// <summary>A trainable tensor (flattened) and its gradient, which backward passes add to.</summary>
public sealed class Parameter(string name, float[] value)
{
    public string Name => name;
    public float[] Value => value;
    public float[] Grad { get; } = new float[value.Length];
}
