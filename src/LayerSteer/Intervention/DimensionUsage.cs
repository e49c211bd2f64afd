namespace LayerSteer.Intervention;

/// <summary>Which dimensions a residual (block-output) vector uses — it has no heads: |Δ| per dimension in rows of
/// <see cref="RowWidth"/> for a heat map, the largest entries, the nonzero count and the norm.</summary>
public sealed record DimensionUsage(float[][] Rows, (int Dim, float Value)[] Largest, int Nonzero, int Width, double Norm)
{
    public const int RowWidth = 32;

    public static DimensionUsage Of(float[] v, int top = 10)
    {
        var rows = v.Chunk(RowWidth).Select(c => c.Select(MathF.Abs).ToArray()).ToArray();
        var largest = v.Select((x, i) => (Dim: i, Value: x)).Where(e => e.Value != 0).OrderByDescending(e => MathF.Abs(e.Value)).ThenBy(e => e.Dim).Take(top).ToArray();
        return new DimensionUsage(rows, largest, v.Count(x => x != 0), v.Length, Math.Sqrt(v.Sum(x => (double)x * x)));
    }

    /// <summary>"a–b" (the dimensions) for each heat-map row.</summary>
    public string[] RowLabels => Enumerable.Range(0, Rows.Length).Select(r => $"{r * RowWidth}–{r * RowWidth + Rows[r].Length - 1}").ToArray();
}
