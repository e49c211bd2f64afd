using System.CommandLine;
using System.Globalization;
using LayerSteer.Inference;
using LayerSteer.Intervention;
using LayerSteer.Hub;
using LayerSteer.Models;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer generate`: streams a continuation, optionally steered by vectors.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model();
        var prompt = new Option<string?>("--prompt") { Description = "Prompt text (BOS etc. added as the tokenizer says)" };
        var promptIds = new Option<string?>("--prompt-ids") { Description = "Prompt as comma-separated token ids, e.g. 1,2,3" };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Tokens to generate", DefaultValueFactory = _ => 64 };
        var greedy = new Option<bool>("--greedy") { Description = "Pick the most likely token (default unless --temperature is given)" };
        var temperature = new Option<float?>("--temperature") { Description = "Sampling temperature" };
        var topP = new Option<float>("--top-p") { Description = "Nucleus sampling mass", DefaultValueFactory = _ => 1f };
        var seed = CliOptions.Seed();
        var stop = new Option<string[]>("--stop") { Description = "Stop string (repeatable)" };
        var output = new Option<string>("--output") { Description = "text or ids", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "ids");
        var vectors = VectorOptions.Vectors();
        var scales = VectorOptions.Scales();
        var cmd = new Command("generate", "Generate a continuation (optionally steered by task vectors).")
            { model, prompt, promptIds, maxNew, greedy, temperature, topP, seed, stop, output, vectors, scales };
        cmd.SetAction(pr =>
        {
            var vecs = VectorOptions.Read(pr.GetValue(vectors), pr.GetValue(scales));
            var b = ModelBundle.Open(pr.GetValue(model)!);
            VectorOptions.Check(vecs, b.Model);
            var additions = VectorOptions.Additions(vecs);
            int[] ids = PromptIds(pr.GetValue(prompt), pr.GetValue(promptIds), b);
            var t = pr.GetValue(temperature);
            var o = new SamplingOptions
            {
                Greedy = pr.GetValue(greedy) || t is null,
                Temperature = t ?? 1f,
                TopP = pr.GetValue(topP),
                Seed = pr.GetValue(seed),
                MaxNewTokens = pr.GetValue(maxNew),
                StopStrings = pr.GetValue(stop) ?? [],
            };
            IActivationHook? hook = additions.Count > 0 ? new SiteAddition(additions, [ids.Length]) : null;
            bool asIds = pr.GetValue(output) == "ids";
            var stream = new TextStream(b.Tokenizer);
            var g = new Generator(b.Model, b.Tokenizer).Generate([ids], o, hook, (_, id) => { if (!asIds) Console.Write(stream.Push(id)); });
            if (asIds) Console.WriteLine(string.Join(' ', g[0].Ids));
            else Console.WriteLine(stream.Flush());
            return 0;
        });
        return cmd;
    }

    static int[] PromptIds(string? text, string? idList, ModelBundle b)
    {
        if ((text == null) == (idList == null)) throw new LayerSteerException("give exactly one of --prompt and --prompt-ids");
        if (idList != null)
            return idList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
                int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 0 && v < b.Model.Vocab ? v
                    : throw new LayerSteerException($"--prompt-ids: \"{s}\" is not a token id in 0..{b.Model.Vocab - 1}")).ToArray();
        return b.RequireTokenizer().Encode(text!);
    }
}
