using System.CommandLine;
using System.Globalization;
using LayerSteer.Experiments;
using LayerSteer.Hub;
using LayerSteer.Tasks;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer compose`: Δ_A + Δ_B on a composed task (Table 2's "Add" row), and with --refit a vector fitted on
/// the composed pairs themselves (the re-optimised row), on the same held-out pairs — the grid of `compare --composition`.</summary>
public static class ComposeCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var vectors = VectorOptions.Vectors();
        var scales = VectorOptions.Scales();
        var task = new TaskOptions();
        var fit = new FitCliOptions();
        var refit = new Option<bool>("--refit") { Description = "Also fit a vector on the composed task's own N pairs" };
        var seeds = CliOptions.Seeds("of the composed task");
        var cmd = new Command("compose", "Evaluate the sum of task vectors on a composed task (A>B), optionally against a re-fit.") { model, vectors, scales, refit, seeds };
        task.AddTo(cmd);
        fit.AddTo(cmd);
        cmd.SetAction(pr =>
        {
            string path = ModelBundle.Locate(pr.GetValue(model)!);
            var vecs = VectorOptions.Read(pr.GetValue(vectors), pr.GetValue(scales));
            if (vecs.Count == 0) throw new LayerSteerException("give the vectors to add with --vector A --vector B");
            var composed = task.Resolve(pr, path);
            var heldOut = CompositionTable.HeldOutFrom(composed, vecs.SelectMany(v => v.Vector.Header.TrainInputs).ToHashSet(StringComparer.OrdinalIgnoreCase));
            task.Split(pr, heldOut, 0);
            var template = task.TemplateOf(pr);
            var b = ModelBundle.Open(path);
            VectorOptions.Check(vecs, b.Model);
            var s = fit.Settings(pr, b.Model.Config.NumLayers);
            if (pr.GetValue(fit.Layer) is null) s = s with { Layer = vecs[0].Vector.Layer };
            var methods = CompositionTable.WithGivenVectors(VectorOptions.Additions(vecs), string.Join(",", vecs.Select(v => $"{v.Vector.Header.Fingerprint}:{Digest(v.Vector.Delta)}*{v.Scale:R}")),
                pr.GetValue(refit) ? s : null);
            var enc = new TaskEncoder(b.RequireTokenizer(), template);
            var grid = new MethodGrid(b.Model, enc, _ => new Evaluator(b.Model, enc), cacheDir: null) { Shots = pr.GetValue(task.Shots), TestSize = pr.GetValue(task.TestSize) };
            var cells = new List<GridCell>();
            Progress.Count("compose", methods.Length * pr.GetValue(seeds), step =>
            {
                foreach (var c in grid.Run(methods, [heldOut], pr.GetValue(seeds))) { cells.Add(c); step($"{c.Method} seed {c.Seed}"); }
            });
            Console.WriteLine($"{composed.Name}: {heldOut.Pairs.Length} composed pairs held out from the vectors' training words");
            Console.WriteLine(GridTable.Markdown(cells, testN: true));
            var inv = CultureInfo.InvariantCulture;
            double Em(string name) => cells.Where(c => c.Method == name).Average(c => c.Score.TestExact);
            string refitEm = pr.GetValue(refit) ? Em(CompositionTable.RefitName).ToString("F3", inv) : "n/a";
            Console.WriteLine(string.Format(inv, "compose add_exact_match={0:F3} refit_exact_match={1}", Em(methods[0].Name), refitEm));
            return 0;
        });
        return cmd;
    }

    static string Digest(float[] v) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan())))[..16];
}
