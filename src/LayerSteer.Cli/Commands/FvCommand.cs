using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using LayerSteer.Experiments;
using LayerSteer.Hub;
using LayerSteer.Tasks;
using Spectre.Console;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer fv`: extracts a function vector (Todd et al.) from N training pairs, prints its heads and saves it.</summary>
public static class FvCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var task = new TaskOptions();
        var fv = new FvCliOptions();
        var seed = CliOptions.Seed();
        var output = CliOptions.Out("function vector (.safetensors)");
        var cmd = new Command("fv", "Extract a function vector (mean head outputs of the top heads by causal indirect effect) and save it.") { model, seed, output };
        task.AddTo(cmd);
        fv.AddTo(cmd);
        cmd.SetAction(pr =>
        {
            string path = ModelBundle.Locate(pr.GetValue(model)!);
            var pairs = task.Resolve(pr, path);
            var template = task.TemplateOf(pr);
            var split = task.Split(pr, pairs, pr.GetValue(seed));
            CliOptions.CheckWritable(pr.GetValue(output)!);
            var b = ModelBundle.Open(path);
            var s = fv.Settings(pr, b.Model.Config.NumLayers);
            var sw = Stopwatch.StartNew();
            var fit = FunctionVectorMemo.Extract(b.Model, new TaskEncoder(b.RequireTokenizer(), template), split, s);
            FunctionVectorMemo.ToFile(b.Model, pairs, template, split, s, fit).Save(pr.GetValue(output)!);

            var inv = CultureInfo.InvariantCulture;
            var t = new Table().AddColumns("layer", "head", "CIE");
            foreach (var h in fit.Heads) t.AddRow(h.Layer.ToString(inv), h.Head.ToString(inv), h.Cie.ToString("F4", inv));
            AnsiConsole.Write(t.Title(Markup.Escape($"{pairs.Name}: top heads, FV after layer {s.Layer}")));
            Console.WriteLine(string.Format(inv, "fv layer={0} heads={1} norm={2:F4} wall_s={3:F1} out={4}", s.Layer, fit.Heads.Length, TensorPrimitives.Norm(fit.Vector), sw.Elapsed.TotalSeconds, pr.GetValue(output)));
            return 0;
        });
        return cmd;
    }
}
