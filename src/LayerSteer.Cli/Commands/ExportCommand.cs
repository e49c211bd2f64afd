using System.CommandLine;
using LayerSteer.Exports;
using LayerSteer.Hub;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tasks;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer export`: a vector for another engine — a llama.cpp control-vector GGUF, that GGUF plus an EasySteer
/// (vLLM) request body, or delta.safetensors plus a Hugging Face transformers hook.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var vector = new Option<string>("--vector") { Description = "Vector .safetensors (from fit or import)", Required = true };
        var format = new Option<string>("--format") { Description = "gguf: llama.cpp --control-vector (also repeng, EasySteer); easysteer: the GGUF + a vLLM request body; transformers: delta.safetensors + a forward-hook script", Required = true };
        format.AcceptOnlyFromAmong("gguf", "easysteer", "transformers");
        var output = CliOptions.Out("GGUF file (gguf) or folder (easysteer, transformers)");
        var model = CliOptions.Model(defaulted: false);
        model.Description = "The model the vector belongs to: needed to move an o_proj-input Δ to the residual stream (W_O·Δ) for gguf and easysteer";
        var apply = new Option<string?>("--apply") { Description = "easysteer, transformers: last, all or every (default: the vector's own)" };
        apply.AcceptOnlyFromAmong(ApplyModes.Names);
        var cmd = new Command("export", "Export a vector to llama.cpp (GGUF control vector), EasySteer/vLLM or Hugging Face transformers.") { vector, format, output, model, apply };
        cmd.SetAction(pr =>
        {
            string path = pr.GetValue(vector)!, outPath = pr.GetValue(output)!, fmt = pr.GetValue(format)!;
            var v = SteeringVector.Load(path);
            var mode = ApplyModes.TryParse(pr.GetValue(apply)) ?? v.Apply;
            if (fmt == "gguf" && pr.GetValue(apply) != null) throw new LayerSteerException("--apply does not apply to --format gguf: llama.cpp adds a control vector at every position");
            if (fmt == "gguf") CliOptions.CheckWritable(outPath);
            else CreateFolder(outPath);
            if (fmt == "transformers")
            {
                TransformersExport.Write(v, mode, outPath);
                Console.WriteLine($"export format=transformers module={TransformersExport.Module(v.Header.Architecture, v.Site, v.Layer)} apply={ApplyModes.Name(mode)} out={outPath}");
                return 0;
            }
            Transformer? m = pr.GetValue(model) is string spec ? ModelBundle.Open(spec).Model : null;
            var r = ResidualVector.Of(v, m, path);
            string? note = fmt == "gguf" ? GgufExport.Write(r, outPath)
                : EasySteerExport.Write(r, mode, Prompt(v), outPath);
            if (note != null) Console.WriteLine(note);
            Console.WriteLine($"export format={fmt} layer={r.Layer} hidden={r.Direction.Length} out={outPath}");
            return 0;
        });
        return cmd;
    }

    static void CreateFolder(string dir)
    {
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new LayerSteerException($"--out {dir}: cannot create the folder ({e.Message})"); }
        CliOptions.CheckWritable(Path.Combine(dir, "probe"));
    }

    /// <summary>A sample prompt for the request body: the vector's template on its first training input.</summary>
    static string? Prompt(SteeringVector v) =>
        v.Header is { Template: string t, TrainInputs: [var x, ..] } ? PromptTemplate.Parse(t).Prompt(x) : null;
}
