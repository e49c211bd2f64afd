using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LayerSteer.Experiments;
using LayerSteer.Formats;
using LayerSteer.Hub;
using LayerSteer.Tasks;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer compare`: every method on the same splits, prompts and seeds — the paper's Table 1; with
/// --ablation regularization its Table 4, with --composition its Table 2; --shard K/N and --from-cache split a grid
/// over many jobs that share one cache folder.</summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var tasks = new Option<string>("--tasks") { Description = "Comma-separated task names", DefaultValueFactory = _ => "antonym,synonym,english-french,english-german" };
        var methods = new Option<string>("--methods") { Description = $"Comma-separated methods: {string.Join(", ", MethodKinds.Names)}", DefaultValueFactory = _ => string.Join(",", MethodCatalog.Default.Select(MethodKinds.Name)) };
        var seeds = CliOptions.Seeds("per (method, task)");
        var json = new Option<string?>("--json") { Description = "Write every cell to this JSON file" };
        var markdown = new Option<string?>("--markdown") { Description = "Write the table as Markdown to this file" };
        var cache = new Option<string>("--cache") { Description = "Folder of per-cell results (an interrupted run resumes from it)", DefaultValueFactory = _ => "runs/compare" };
        var shard = new Option<string?>("--shard") { Description = "Run only shard K of N (K/N, 1-based) of the cells into --cache; N jobs share one cache, then --from-cache prints the tables" };
        var fromCache = new Option<bool>("--from-cache") { Description = "Run nothing: assemble the tables from a complete --cache (names any missing cell)" };
        var judge = JudgeOption.Create();
        var ablation = new Option<string?>("--ablation") { Description = "Table 4 instead of --methods: regularization = the vector with γ = λ = 0 against --gamma/--lambda" };
        ablation.AcceptOnlyFromAmong(RegularizationAblation.Name);
        var composition = new Option<bool>("--composition") { Description = "Table 2 instead of --methods: Add (Δ_A + Δ_B) against Re-fit on composed tasks (default --tasks: the four A>B tasks; they have few pairs, so lower --shots)" };
        var task = new TaskOptions();
        var fit = new FitCliOptions();
        var adapters = new AdapterCliOptions();
        var icv = new IcvOptions();
        var fv = new FvCliOptions("--fv-");
        var cmd = new Command("compare", "Run methods × tasks × seeds on identical splits and print Table 1 (Table 4 with --ablation, Table 2 with --composition).")
            { model, tasks, methods, seeds, json, markdown, cache, shard, fromCache, judge, ablation, composition };
        task.AddTo(cmd, withTask: false);
        fit.AddTo(cmd);
        adapters.AddTo(cmd);
        icv.AddTo(cmd);
        fv.AddTo(cmd);
        cmd.SetAction(pr =>
        {
            string path = ModelBundle.Locate(pr.GetValue(model)!);
            var mode = CompareMode.Of(pr, ablation, composition, methods, tasks, t => task.Resolve(pr, t, path));
            var sharding = pr.GetValue(shard) is string sh ? GridShard.Parse(sh) : GridShard.All;
            if (sharding != GridShard.All && pr.GetValue(fromCache)) throw new LayerSteerException("--shard and --from-cache do not go together: run the shards, then --from-cache");
            var kinds = mode.Fixed ? null : MethodCatalog.ParseList(pr.GetValue(methods)!);
            foreach (var t in mode.Tasks) task.Split(pr, t, 0);
            var template = task.TemplateOf(pr);
            foreach (var (o, name) in new[] { (pr.GetValue(markdown), "--markdown"), (pr.GetValue(json), "--json") })
                if (o != null) CliOptions.CheckWritable(o, name);
            var adapterSettings = adapters.Settings(pr);
            var icvSettings = icv.Settings(pr);
            var b = ModelBundle.Open(path);
            int layers = b.Model.Config.NumLayers;
            var settings = fit.Settings(pr, layers);
            var methodList = mode.Methods(settings)
                ?? MethodCatalog.Create(kinds!, new MethodSettings(settings) { Adapters = adapterSettings, Icv = icvSettings, Fv = fv.Settings(pr, layers) });
            var enc = new TaskEncoder(b.RequireTokenizer(), template);
            var grid = new MethodGrid(b.Model, enc, JudgeOption.Evaluators(pr.GetValue(judge)!, b.Model, enc), pr.GetValue(cache)!)
            { Shots = pr.GetValue(task.Shots), TestSize = pr.GetValue(task.TestSize), Shard = sharding, FromCache = pr.GetValue(fromCache) };
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var cells = new List<GridCell>();
            int total = methodList.Count * mode.Tasks.Length * pr.GetValue(seeds);
            int mine = Enumerable.Range(0, total).Count(sharding.Owns);
            Progress.Count("grid", mine, step =>
            {
                foreach (var c in grid.Run(methodList, mode.Tasks, pr.GetValue(seeds))) { cells.Add(c); step($"{c.Method} / {c.Task} / seed {c.Seed}"); }
            }, remaining: true);
            string md = GridTable.Markdown(cells, testN: mode.TestN);
            Console.WriteLine(md);
            if (pr.GetValue(markdown) is string mdPath) AtomicFile.WriteText(mdPath, md);
            if (pr.GetValue(json) is string jsonPath)
                AtomicFile.Write(jsonPath, s => JsonSerializer.Serialize(s, cells, new JsonSerializerOptions { WriteIndented = true }));
            string shardNote = sharding == GridShard.All ? "" : $"shard={sharding} ";
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "compare {0}{1}cells={2} {3}wall_s={4:F0}", mode.Label, shardNote, cells.Count,
                mode.SummaryKeys is { } keys && sharding == GridShard.All ? GridTable.Summary(cells, methodList, keys) + " " : "", sw.Elapsed.TotalSeconds));
            return 0;
        });
        return cmd;
    }
}
