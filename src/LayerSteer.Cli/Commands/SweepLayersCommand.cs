using System.CommandLine;
using System.Globalization;
using LayerSteer.Experiments;
using LayerSteer.Models;
using LayerSteer.Reports;
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
            var b = ModelBundle.Open(pr.GetValue(model)!);
            var pairs = task.Resolve(pr, b.Path);
            var enc = new TaskEncoder(b.RequireTokenizer(), PromptTemplate.Parse(pr.GetValue(task.Template)!));
            var s = fit.Settings(pr, b.Model.Config.NumLayers);
            int L = b.Model.Config.NumLayers;
            var methods = Enumerable.Range(0, L).Select(l => (Method)new Method.Vector(s with { Layer = l }, $"layer {l}")).ToList();
            var grid = new MethodGrid(b.Model, enc, _ => new Evaluator(b.Model, enc), pr.GetValue(cache)!)
            { Shots = pr.GetValue(task.Shots), TestSize = pr.GetValue(task.TestSize) };
            var cells = new List<GridCell>();
            CliHost.Err.Progress().Start(ctx =>
            {
                var bar = ctx.AddTask("layers", maxValue: L * pr.GetValue(seeds));
                foreach (var c in grid.Run(methods, [pairs], pr.GetValue(seeds), (c, _) => bar.Description = $"{c.Method} seed {c.Seed}")) { cells.Add(c); bar.Increment(1); }
            });
            var inv = CultureInfo.InvariantCulture;
            var t = new Table().AddColumns("layer (0-based)", "held-out exact match", "held-out first-token", "train exact match").Title(Markup.Escape($"{pairs.Name}: vector per layer"));
            var em = new List<(double, double)>();
            var ft = new List<(double, double)>();
            for (int l = 0; l < L; l++)
            {
                var cl = cells.Where(c => c.Method == $"layer {l}").ToArray();
                em.Add(GridTable.Stat(cl, x => x.TestExact));
                ft.Add(GridTable.Stat(cl, x => x.TestFirstToken));
                var tr = GridTable.Stat(cl, x => x.TrainExact);
                t.AddRow(l.ToString(inv), $"{em[l].Item1.ToString("F2", inv)} ± {em[l].Item2.ToString("F2", inv)}",
                    $"{ft[l].Item1.ToString("F2", inv)} ± {ft[l].Item2.ToString("F2", inv)}", tr.Mean.ToString("F2", inv));
            }
            AnsiConsole.Write(t);
            string plot = Svg.LinePlot($"{pairs.Name}: task vector by layer ({pr.GetValue(seeds)} seeds)", "layer (0-based)", "accuracy on held-out pairs",
                Enumerable.Range(0, L).Select(l => l.ToString(inv)).ToArray(),
                [new("exact match", em.Select(x => x.Item1).ToArray(), em.Select(x => x.Item2).ToArray()),
                 new("first-token", ft.Select(x => x.Item1).ToArray(), ft.Select(x => x.Item2).ToArray())]);
            Formats.AtomicFile.WriteText(pr.GetValue(svg)!, plot);
            int best = em.IndexOf(em.MaxBy(x => x.Item1));
            Console.WriteLine(string.Format(inv, "sweep-layers best_layer={0} exact_match={1:F3} svg={2}", best, em[best].Item1, pr.GetValue(svg)));
            return 0;
        });
        return cmd;
    }
}
