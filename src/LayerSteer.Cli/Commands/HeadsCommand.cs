using System.CommandLine;
using System.Globalization;
using LayerSteer.Intervention;
using LayerSteer.Reports;
using Spectre.Console;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer heads --vector V`: which heads Δ uses — |Δ| per head × dimension as an SVG heat map (Fig. 2) and a list.</summary>
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
            if (!int.TryParse(v.Metadata.GetValueOrDefault("head_dim"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int d) || d <= 0 || v.Delta.Length % d != 0)
                throw LayerSteerException.InFile(path, "metadata \"head_dim\" is missing or does not divide the site width");
            int heads = v.Delta.Length / d;
            var rows = Enumerable.Range(0, heads).Select(h => v.Delta.AsSpan(h * d, d).ToArray().Select(MathF.Abs).ToArray()).ToArray();
            var inv = CultureInfo.InvariantCulture;
            var t = new Table().AddColumns("head", "‖Δ_h‖₂", "nonzero entries").Title(Markup.Escape($"{v.Task}, layer {v.Layer} (0-based)"));
            var used = new List<int>();
            for (int h = 0; h < heads; h++)
            {
                int nz = rows[h].Count(x => x != 0);
                if (nz == 0) continue;
                used.Add(h);
                t.AddRow(h.ToString(inv), Math.Sqrt(rows[h].Sum(x => (double)x * x)).ToString("F4", inv), $"{nz}/{d}");
            }
            AnsiConsole.Write(t);
            string outPath = pr.GetValue(svg) ?? Path.ChangeExtension(path, ".heads.svg");
            string plot = Svg.Heatmap($"|Δ| of {v.Task} at layer {v.Layer}: head × dimension", Enumerable.Range(0, heads).Select(h => $"head {h}").ToArray(), rows, "dimension within head");
            Formats.AtomicFile.WriteText(outPath, plot);
            Console.WriteLine($"heads nonzero={used.Count}/{heads} [{string.Join(",", used)}] svg={outPath}");
            return 0;
        });
        return cmd;
    }
}
