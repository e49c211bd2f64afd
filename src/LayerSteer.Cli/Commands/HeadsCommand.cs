using System.CommandLine;
using System.Globalization;
using LayerSteer.Formats;
using LayerSteer.Intervention;
using LayerSteer.Reports;
using Spectre.Console;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer heads --vector V`: which heads Δ uses — |Δ| per head × dimension as an SVG heat map (Fig. 2) and a list;
/// for a block-output vector, |Δ| per residual dimension and its largest entries.</summary>
public static class HeadsCommand
{
    public static Command Create()
    {
        var vector = new Option<string>("--vector") { Description = "Task vector .safetensors", Required = true };
        var svg = new Option<string?>("--svg") { Description = "Where to write the heat map (default: beside the vector, .heads.svg)" };
        var cmd = new Command("heads", "Show the heads a task vector uses (heat map of |Δ| per head × dim).") { vector, svg };
        cmd.SetAction(pr =>
        {
            string path = pr.GetValue(vector)!;
            var v = SteeringVector.Load(path);
            var inv = CultureInfo.InvariantCulture;
            string outPath = pr.GetValue(svg) ?? Path.ChangeExtension(path, ".heads.svg");
            if (v.Site == VectorSite.BlockOutput) { Dimensions(v, outPath); return 0; }
            var usage = HeadUsage.Of(v, path);
            var t = new Table().AddColumns("head", "‖Δ_h‖₂", "nonzero entries").Title(Markup.Escape($"{v.Task}, layer {v.Layer} (0-based)"));
            foreach (var h in usage.Used) t.AddRow(h.Head.ToString(inv), h.Norm.ToString("F4", inv), $"{h.Nonzero}/{h.Width}");
            AnsiConsole.Write(t);
            string plot = Svg.Heatmap($"|Δ| of {v.Task} at layer {v.Layer}: head × dimension", Enumerable.Range(0, usage.Heads).Select(h => $"head {h}").ToArray(),
                usage.Magnitudes, "dimension within head");
            AtomicFile.WriteText(outPath, plot);
            Console.WriteLine($"heads nonzero={usage.Used.Length}/{usage.Heads} [{string.Join(",", usage.Used.Select(h => h.Head))}] svg={outPath}");
            return 0;
        });
        return cmd;
    }

    /// <summary>A residual vector has no heads: |Δ| per dimension (rows of 32) and its largest entries.</summary>
    static void Dimensions(SteeringVector v, string outPath)
    {
        var inv = CultureInfo.InvariantCulture;
        var u = DimensionUsage.Of(v.Delta);
        var t = new Table().AddColumns("dimension", "Δ").Title(Markup.Escape($"{v.Task}, block output of layer {v.Layer} (0-based): largest entries"));
        foreach (var (d, x) in u.Largest) t.AddRow(d.ToString(inv), x.ToString("F4", inv));
        AnsiConsole.Write(t);
        AtomicFile.WriteText(outPath, Svg.Heatmap($"|Δ| of {v.Task} after layer {v.Layer}: residual dimensions", u.RowLabels, u.Rows, "dimension (row start + column)"));
        Console.WriteLine(string.Format(inv, "dims nonzero={0}/{1} norm={2:F4} svg={3}", u.Nonzero, u.Width, u.Norm, outPath));
    }
}
