using System.Globalization;
using LayerSteer.Reports;

namespace LayerSteer.Experiments;

/// <summary>One layer's row of the sweep: held-out exact match and first-token accuracy (mean, std over seeds) and the
/// training pairs' exact match.</summary>
public sealed record LayerRow(int Layer, (double Mean, double Std) Exact, (double Mean, double Std) FirstToken, double TrainExact);

/// <summary>The paper's Fig. 1: the task vector fitted and evaluated at every layer, as grid rows "layer ℓ".</summary>
public static class LayerSweep
{
    public static Method[] Methods(VectorSettings s, int layers) =>
        Enumerable.Range(0, layers).Select(l => (Method)new Method.Vector(s with { Layer = l }, $"layer {l}")).ToArray();

    public static LayerRow[] Rows(IReadOnlyList<GridCell> cells, int layers) => Enumerable.Range(0, layers).Select(l =>
    {
        var mine = cells.Where(c => c.Method == $"layer {l}").ToArray();
        return new LayerRow(l, GridTable.Stat(mine, x => x.TestExact), GridTable.Stat(mine, x => x.TestFirstToken), GridTable.Stat(mine, x => x.TrainExact).Mean);
    }).ToArray();

    /// <summary>The layer with the best held-out exact match.</summary>
    public static LayerRow Best(IReadOnlyList<LayerRow> rows) => rows.MaxBy(r => r.Exact.Mean)!;

    /// <summary>The SVG line plot of exact match and first-token accuracy by layer, with ±std bands.</summary>
    public static string Plot(string task, int seeds, IReadOnlyList<LayerRow> rows) =>
        Svg.LinePlot($"{task}: task vector by layer ({seeds} seeds)", "layer (0-based)", "accuracy on held-out pairs",
            rows.Select(r => r.Layer.ToString(CultureInfo.InvariantCulture)).ToArray(),
            [new("exact match", rows.Select(r => r.Exact.Mean).ToArray(), rows.Select(r => r.Exact.Std).ToArray()),
             new("first-token", rows.Select(r => r.FirstToken.Mean).ToArray(), rows.Select(r => r.FirstToken.Std).ToArray())]);
}
