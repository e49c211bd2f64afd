using System.CommandLine;
using System.Globalization;
using LayerSteer.Experiments;
using LayerSteer.Formats;
using LayerSteer.Hub;
using LayerSteer.Tasks;
using Spectre.Console;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer sweep-layers`: exact match of the task vector fitted at each layer (the paper's Fig. 1), table and SVG.</summary>
public static class SweepLayersCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var task = new TaskOptions();
        var fit = new FitCliOptions();
        var seeds = CliOptions.Seeds("per layer");
        var svg = new Option<string>("--svg") { Description = "Where to write the line plot", DefaultValueFactory = _ => "sweep-layers.svg" };
        var cache = new Option<string>("--cache") { Description = "Folder of per-cell results (resume)", DefaultValueFactory = _ => "runs/sweep-layers" };
        var cmd = new Command("sweep-layers", "Fit and evaluate the task vector at every layer (Fig. 1).") { model, seeds, svg, cache };
        task.AddTo(cmd);
        fit.AddTo(cmd);
        cmd.SetAction(pr =>
        {
            string path = ModelBundle.Locate(pr.GetValue(model)!);
            var pairs = task.Resolve(pr, path);
            task.Split(pr, pairs, 0);
            var template = task.TemplateOf(pr);
            CliOptions.CheckWritable(pr.GetValue(svg)!, "--svg");
            var b = ModelBundle.Open(path);
            int L = b.Model.Config.NumLayers, n = pr.GetValue(seeds);
            var enc = new TaskEncoder(b.RequireTokenizer(), template);
            var methods = LayerSweep.Methods(fit.Settings(pr, L), L);
            var grid = new MethodGrid(b.Model, enc, _ => new Evaluator(b.Model, enc), pr.GetValue(cache)!) { Shots = pr.GetValue(task.Shots), TestSize = pr.GetValue(task.TestSize) };
            var cells = new List<GridCell>();
            Progress.Count("layers", methods.Length * n, step =>
            {
                foreach (var c in grid.Run(methods, [pairs], n)) { cells.Add(c); step($"{c.Method} seed {c.Seed}"); }
            });
            var rows = LayerSweep.Rows(cells, L);
            var inv = CultureInfo.InvariantCulture;
            string Ms((double Mean, double Std) x) => $"{x.Mean.ToString("F2", inv)} ± {x.Std.ToString("F2", inv)}";
            var t = new Table().AddColumns("layer (0-based)", "held-out exact match", "held-out first-token", "train exact match").Title(Markup.Escape($"{pairs.Name}: vector per layer"));
            foreach (var r in rows) t.AddRow(r.Layer.ToString(inv), Ms(r.Exact), Ms(r.FirstToken), r.TrainExact.ToString("F2", inv));
            AnsiConsole.Write(t);
            AtomicFile.WriteText(pr.GetValue(svg)!, LayerSweep.Plot(pairs.Name, n, rows));
            var best = LayerSweep.Best(rows);
            Console.WriteLine(string.Format(inv, "sweep-layers best_layer={0} exact_match={1:F3} svg={2}", best.Layer, best.Exact.Mean, pr.GetValue(svg)));
            return 0;
        });
        return cmd;
    }
}
