using System.CommandLine;
using System.Globalization;
using LayerSteer.Testbed;
using Spectre.Console;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer testbed build`: trains the testbed model from the repository's function_vectors files and writes its folder.</summary>
public static class TestbedCommand
{
    public static Command Create()
    {
        var d = new TestbedSettings();
        Option<int> Int(string name, string description, int value) => new(name) { Description = description, DefaultValueFactory = _ => value };
        var output = new Option<string>("--out") { Description = "Folder to write the model to (created)", Required = true };
        var data = new Option<string?>("--data") { Description = "function_vectors folder (with abstractive/); default: the repository's data/function_vectors" };
        var seed = CliOptions.Seed(d.Seed);
        var layers = Int("--layers", "Decoder layers", d.Shape.Layers);
        var hidden = Int("--hidden", "Hidden size", d.Shape.Hidden);
        var heads = Int("--heads", "Attention heads", d.Shape.Heads);
        var kvHeads = Int("--kv-heads", "Key/value heads", d.Shape.KvHeads);
        var vocab = Int("--vocab", "BPE vocabulary size (with <|endoftext|>)", d.Shape.Vocab);
        var steps = Int("--steps", "Optimiser steps", d.Steps);
        var batch = Int("--batch", "Sequences per step", d.Batch);
        var seq = Int("--seq", "Tokens per sequence", d.Seq);
        var lr = new Option<float>("--lr") { Description = "Peak learning rate (warm-up, then cosine decay to 10%)", DefaultValueFactory = _ => d.Lr };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --out (same settings)" };
        var build = new Command("build", "Generate the corpus, train a BPE tokenizer and a Llama from scratch, probe its knowledge, write a Hugging Face folder.")
            { output, data, seed, layers, hidden, heads, kvHeads, vocab, steps, batch, seq, lr, resume };
        build.SetAction(pr =>
        {
            var s = d with
            {
                Seed = pr.GetValue(seed), Steps = pr.GetValue(steps), Lr = pr.GetValue(lr), Batch = pr.GetValue(batch), Seq = pr.GetValue(seq),
                Shape = d.Shape with
                {
                    Layers = pr.GetValue(layers), Hidden = pr.GetValue(hidden), Heads = pr.GetValue(heads),
                    KvHeads = pr.GetValue(kvHeads), Vocab = pr.GetValue(vocab),
                },
            };
            string dataDir = pr.GetValue(data) ?? TestbedData.DefaultDir()
                ?? throw new LayerSteerException("no data/function_vectors folder found in the repository; pass --data DIR");
            string outDir = pr.GetValue(output)!;
            var report = Run(outDir, dataDir, s, pr.GetValue(resume));
            var inv = CultureInfo.InvariantCulture;
            var t = new Table().AddColumns("relation", "taught", "known", "share").Title("knowledge probe");
            foreach (var k in report.Knowledge) t.AddRow(k.Relation, k.Taught.ToString(inv), k.Known.ToString(inv), ((double)k.Known / Math.Max(1, k.Taught)).ToString("F2", inv));
            foreach (var c in report.Compositions) t.AddRow(c.Task + " (chains)", c.Taught.ToString(inv), c.Known.ToString(inv), ((double)c.Known / Math.Max(1, c.Taught)).ToString("F2", inv));
            AnsiConsole.Write(t);
            var tr = report.Training;
            Console.WriteLine(string.Format(inv, "testbed out={0} loss={1:F3} tokens={2} tokens_per_s={3:F0} wall_min={4:F1} known_paper={5}",
                outDir, tr.FinalLoss, tr.Tokens, tr.TokensPerSecond, tr.Wall.TotalMinutes,
                string.Join(",", report.Knowledge.Where(k => k.Paper).Select(k => $"{k.Relation}:{k.Known}/{k.Taught}"))));
            return 0;
        });
        return new Command("testbed", "Build the testbed model (a Llama whose knowledge LayerSteer controls).") { build };
    }

    // A live bar on a terminal; a plain line every 20 steps when stderr goes to a log.
    static TestbedReport Run(string outDir, string dataDir, TestbedSettings s, bool resume)
    {
        var inv = CultureInfo.InvariantCulture;
        string Line(TrainProgress p) => string.Format(inv, "step {0}/{1} loss {2:F3} lr {3:E1} {4:F0} tok/s ETA {5:hh\\:mm\\:ss}",
            p.Step, p.Steps, p.Loss, p.Lr, p.TokensPerSecond, p.Eta);
        void Log(string m) => Console.Error.WriteLine(m);
        if (Console.IsErrorRedirected)
            return TestbedBuilder.Build(outDir, dataDir, s, resume, Log, p => { if (p.Step % 20 == 0 || p.Step == p.Steps) Log(Line(p)); });
        TestbedReport? report = null;
        CliHost.Err.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn()).Start(ctx =>
        {
            var bar = ctx.AddTask("preparing", maxValue: s.Steps);
            report = TestbedBuilder.Build(outDir, dataDir, s, resume, m => CliHost.Err.MarkupLine(Markup.Escape(m)),
                p => { bar.Value = p.Step; bar.Description = Markup.Escape(Line(p)); });
        });
        return report!;
    }
}
