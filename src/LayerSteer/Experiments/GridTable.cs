using System.Globalization;
using System.Text;
using LayerSteer.Tasks;

namespace LayerSteer.Experiments;

/// <summary>Table 1 layout: rows are methods, columns tasks; cells "exact match ± std (first-token ± std)" over seeds.</summary>
public static class GridTable
{
    public static (double Mean, double Std) Stat(IEnumerable<GridCell> cells, Func<MethodScore, double?> f) =>
        Scoring.MeanStd(cells.Select(c => f(c.Score)).Where(v => v.HasValue).Select(v => v!.Value).ToArray());

    public static string Cell(IEnumerable<GridCell> cells, bool train = false)
    {
        var inv = CultureInfo.InvariantCulture;
        var (em, ems) = Stat(cells, s => train ? s.TrainExact : s.TestExact);
        var (ft, fts) = Stat(cells, s => train ? s.TrainFirstToken : s.TestFirstToken);
        return double.IsNaN(em) ? "–" : string.Format(inv, "{0:F2} ± {1:F2} ({2:F2} ± {3:F2})", em, ems, ft, fts);
    }

    static string JudgeCell(IEnumerable<GridCell> cells)
    {
        var (j, js) = Stat(cells, s => s.TestJudge);
        var (u, _) = Stat(cells, s => s.TestJudgeUnknown);
        return double.IsNaN(j) ? "–" : string.Format(CultureInfo.InvariantCulture, "{0:F2} ± {1:F2} (unknown {2:F2})", j, js, u);
    }

    /// <summary>Markdown: one row per method (plus judge rows when judged, and "(train pairs)" rows for methods that learn),
    /// one column per task.</summary>
    public static string Markdown(IReadOnlyList<GridCell> cells)
    {
        var tasks = cells.Select(c => c.Task).Distinct().ToArray();
        var methods = cells.Select(c => c.Method).Distinct().ToArray();
        var sb = new StringBuilder();
        sb.AppendLine("| method | " + string.Join(" | ", tasks) + " |");
        sb.AppendLine("|---|" + string.Concat(tasks.Select(_ => "---|")));
        foreach (var m in methods)
        {
            sb.AppendLine($"| {m} | " + string.Join(" | ", tasks.Select(t => Cell(cells.Where(c => c.Method == m && c.Task == t)))) + " |");
            if (cells.Any(c => c.Method == m && c.Score.TestJudge.HasValue))
                sb.AppendLine($"| {m} (judge accuracy, unknown share) | " + string.Join(" | ", tasks.Select(t => JudgeCell(cells.Where(c => c.Method == m && c.Task == t)))) + " |");
            if (cells.Any(c => c.Method == m && c.Score.TrainExact.HasValue))
                sb.AppendLine($"| {m} (train pairs) | " + string.Join(" | ", tasks.Select(t => Cell(cells.Where(c => c.Method == m && c.Task == t), train: true))) + " |");
        }
        return sb.ToString();
    }
}
