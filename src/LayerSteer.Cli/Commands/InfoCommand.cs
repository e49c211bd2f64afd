using System.CommandLine;
using LayerSteer.Hub;
using LayerSteer.Intervention;
using LayerSteer.Tensors;
using Spectre.Console;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer info --model PATH`: architecture and the sizes that matter for steering.</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var cmd = new Command("info", "Show a model's architecture, sizes and intervention site.") { model };
        cmd.SetAction(pr =>
        {
            var (path, h, tokenizer) = ModelBundle.Inspect(pr.GetValue(model)!);
            var c = h.Config;
            var t = new Table().AddColumns("property", "value").HideHeaders();
            void Row(string k, object v) => t.AddRow(Markup.Escape(k), Markup.Escape(v.ToString() ?? ""));
            Row("path", path);
            Row("architecture", c.ModelType);
            Row("parameters", h.ParameterCount.ToString("N0"));
            Row("dtype", h.StorageDType);
            Row("layers", c.NumLayers);
            Row("hidden size", c.HiddenSize);
            Row("heads", c.NumHeads);
            Row("kv heads", c.NumKvHeads);
            Row("head dim", c.HeadDim);
            Row("site width", $"{c.SiteWidth} (o_proj input = heads × head dim)");
            Row("attention", c.AttentionLayers());
            Row("default layer", $"{DefaultLayers.Vector(c.NumLayers)} (0-based; function vectors: {DefaultLayers.FunctionVector(c.NumLayers)})");
            Row("vocab", c.VocabSize);
            Row("tokenizer", tokenizer?.GetType().Name ?? "none found");
            Row("fingerprint", h.Fingerprint);
            Row("gemm", Gemm.Backend);
            AnsiConsole.Write(t);
            return 0;
        });
        return cmd;
    }
}
