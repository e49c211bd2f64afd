using System.CommandLine;
using LayerSteer.Exports;
using LayerSteer.Hub;
using LayerSteer.Intervention;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer import --gguf`: a control-vector GGUF (llama.cpp, repeng, EasySteer) as block-output vector files of a
/// model, to evaluate, compose and serve here.</summary>
public static class ImportCommand
{
    public static Command Create()
    {
        var gguf = new Option<string>("--gguf") { Description = "Control-vector GGUF (direction.{layer} tensors)", Required = true };
        var model = CliOptions.Model();
        var output = CliOptions.Out("vector (.safetensors; a GGUF with several layers gives OUT.layer{k}.safetensors each)");
        var layer = new Option<int?>("--layer") { Description = "Import only direction.{layer} (0-based; default: every direction)" };
        var apply = new Option<string>("--apply") { Description = "every: every position, as llama.cpp applies it; all: last prompt token and every generated token; last: last prompt token", DefaultValueFactory = _ => ApplyModes.Name(ApplyMode.Every) };
        apply.AcceptOnlyFromAmong(ApplyModes.Names);
        var cmd = new Command("import", "Import a control-vector GGUF (llama.cpp, repeng, EasySteer) as block-output vector files.") { gguf, model, output, layer, apply };
        cmd.SetAction(pr =>
        {
            string outPath = pr.GetValue(output)!;
            CliOptions.CheckWritable(outPath);
            var b = ModelBundle.Open(pr.GetValue(model)!);
            var vectors = ControlVectorImport.Read(pr.GetValue(gguf)!, b.Model, pr.GetValue(layer), ApplyModes.TryParse(pr.GetValue(apply))!.Value);
            var written = vectors.Select(v =>
            {
                string p = ControlVectorImport.OutPath(outPath, v.Layer, vectors.Count);
                v.Save(p);
                return p;
            }).ToArray();
            foreach (var (v, p) in vectors.Zip(written))
                Console.WriteLine($"layer {v.Layer}: ‖v‖ = {Math.Sqrt(v.Delta.Sum(x => (double)x * x)):F4} → {p}");
            Console.WriteLine($"import layers={string.Join(",", vectors.Select(v => v.Layer))} hidden={b.Model.Hidden} apply={pr.GetValue(apply)} out={string.Join(",", written)}");
            return 0;
        });
        return cmd;
    }
}
