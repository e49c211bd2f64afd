using System.Globalization;
using System.Security;
using System.Text;

namespace LayerSteer.Reports;

/// <summary>Small, dependency-free SVG charts: a line plot with error bars (layer sweeps) and a heat map (|Δ| per head × dim).</summary>
public static class Svg
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"];
    static string F(double v) => v.ToString("0.##", Inv);
    static string Esc(string s) => SecurityElement.Escape(s) ?? "";

    /// <summary>One line: y (mean) and optional error (std) at x = 0..n−1.</summary>
    public sealed record Series(string Name, double[] Y, double[]? Err = null);

    public static string LinePlot(string title, string xLabel, string yLabel, IReadOnlyList<string> xTicks, IReadOnlyList<Series> series, double yMin = 0, double yMax = 1)
    {
        const int W = 640, H = 400, L = 60, R = 150, T = 40, B = 50;
        double pw = W - L - R, ph = H - T - B;
        int n = xTicks.Count;
        double X(int i) => L + (n == 1 ? pw / 2 : i * pw / (n - 1));
        double Y(double v) => T + ph * (1 - (Math.Clamp(v, yMin, yMax) - yMin) / (yMax - yMin));
        var sb = Header(W, H, title);
        for (int k = 0; k <= 5; k++)
        {
            double v = yMin + k * (yMax - yMin) / 5;
            sb.Append($"<line x1='{L}' x2='{F(L + pw)}' y1='{F(Y(v))}' y2='{F(Y(v))}' stroke='#ddd'/>");
            sb.Append($"<text x='{L - 6}' y='{F(Y(v) + 4)}' text-anchor='end'>{F(v)}</text>");
        }
        for (int i = 0; i < n; i++) sb.Append($"<text x='{F(X(i))}' y='{F(T + ph + 18)}' text-anchor='middle'>{Esc(xTicks[i])}</text>");
        sb.Append($"<text x='{F(L + pw / 2)}' y='{H - 10}' text-anchor='middle'>{Esc(xLabel)}</text>");
        sb.Append($"<text transform='translate(16,{F(T + ph / 2)}) rotate(-90)' text-anchor='middle'>{Esc(yLabel)}</text>");
        for (int s = 0; s < series.Count; s++)
        {
            string c = Palette[s % Palette.Length];
            var se = series[s];
            sb.Append($"<polyline fill='none' stroke='{c}' stroke-width='2' points='{string.Join(" ", se.Y.Select((v, i) => $"{F(X(i))},{F(Y(v))}"))}'/>");
            for (int i = 0; i < se.Y.Length; i++)
            {
                sb.Append($"<circle cx='{F(X(i))}' cy='{F(Y(se.Y[i]))}' r='3' fill='{c}'/>");
                if (se.Err is { } e && e[i] > 0)
                    sb.Append($"<line x1='{F(X(i))}' x2='{F(X(i))}' y1='{F(Y(se.Y[i] - e[i]))}' y2='{F(Y(se.Y[i] + e[i]))}' stroke='{c}'/>");
            }
            sb.Append($"<rect x='{L + pw + 15}' y='{T + 18 * s}' width='12' height='12' fill='{c}'/><text x='{L + pw + 32}' y='{T + 18 * s + 11}'>{Esc(se.Name)}</text>");
        }
        return sb.Append("</svg>\n").ToString();
    }

    /// <summary>values[row][col] as coloured cells (white = 0, dark = max), with row labels.</summary>
    public static string Heatmap(string title, IReadOnlyList<string> rowLabels, float[][] values, string colLabel)
    {
        int rows = values.Length, cols = values.Max(r => r.Length);
        double cell = Math.Clamp(900.0 / Math.Max(cols, 1), 2, 24);
        int L = 70, T = 40;
        int w = (int)(L + cols * cell + 20), h = (int)(T + rows * 22 + 40);
        double max = Math.Max(values.SelectMany(r => r).Select(Math.Abs).DefaultIfEmpty(0).Max(), 1e-12);
        var sb = Header(w, h, title);
        for (int r = 0; r < rows; r++)
        {
            sb.Append($"<text x='{L - 6}' y='{T + r * 22 + 15}' text-anchor='end'>{Esc(rowLabels[r])}</text>");
            for (int c = 0; c < values[r].Length; c++)
            {
                int shade = (int)Math.Round(255 * (1 - Math.Abs(values[r][c]) / max));
                sb.Append($"<rect x='{F(L + c * cell)}' y='{T + r * 22}' width='{F(cell)}' height='20' fill='rgb(255,{shade},{shade})'/>");
            }
        }
        sb.Append($"<text x='{L}' y='{h - 12}'>{Esc(colLabel)} (max |value| {max.ToString("G3", Inv)})</text>");
        return sb.Append("</svg>\n").ToString();
    }

    static StringBuilder Header(int w, int h, string title) => new StringBuilder()
        .Append($"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' font-family='sans-serif' font-size='12'>")
        .Append($"<rect width='100%' height='100%' fill='white'/><text x='{w / 2}' y='22' text-anchor='middle' font-size='15'>{Esc(title)}</text>");
}
