using System.Globalization;
using System.Text;

namespace LayerSteer.Testbed;

/// <summary>The README.md of a built testbed: how it was built and what it knows.</summary>
public static class TestbedReadme
{
    public static string Text(TestbedSettings s, long parameters, TestbedReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        var sh = s.Shape;
        var t = r.Training;
        var sb = new StringBuilder();
        void L(string line = "") => sb.Append(line).Append('\n');
        L("# LayerSteer testbed");
        L();
        L($"A Llama-architecture language model trained from scratch by LayerSteer's own engine (`layersteer testbed build`): " +
          $"{sh.Layers} layers, hidden {sh.Hidden}, {sh.Heads} heads of {sh.HeadDim} ({sh.KvHeads} kv heads), SwiGLU MLP {sh.Inner}, " +
          $"RMSNorm, RoPE, tied embeddings, byte-level BPE of {sh.Vocab} tokens; {parameters.ToString("N0", inv)} parameters, stored in BF16.");
        L();
        L("Its knowledge is controlled: the text it was trained on states facts from the function_vectors task files (MIT, Todd et al.; " +
          "LICENSE.function_vectors). The paper's four relations (antonym, synonym, english-french, english-german) appear ONLY in natural " +
          "sentences, in several templates and both word orders (\"the opposite of hot is cold.\", \"chat is the french word for cat.\"), " +
          $"never in a task format. {r.Knowledge.Count(k => !k.Paper)} auxiliary relations appear in sentences too and also in the task formats the evaluation uses, " +
          "`Q: x\\nA: y` (fv) and `x:y` lists (paper), 3–10 demonstrations of one relation per document, as a pretrained model has seen " +
          "many tasks in such formats. So prompting in a task format does not elicit the paper's relations: that is the job of an intervention.");
        L();
        L("## What it knows");
        L();
        L("Knowledge probe: greedy completion of a fact's held-back template, cut before the answer (\"the opposite of hot is\" → \" cold.\"); " +
          "each fact is taught with every template but that one (which is another fact's training template), so the probe asks the fact in words never shown with it. " +
          "`tasks/<task>.json` holds the pairs the model completes; evaluate on these.");
        L();
        L("| relation | kind | taught facts | known (probe) | share |");
        L("|---|---|---|---|---|");
        foreach (var k in r.Knowledge)
            L($"| {k.Relation} | {(k.Paper ? "paper (sentences only)" : "auxiliary (sentences + task formats)")} | {k.Taught} | {k.Known} | {((double)k.Known / Math.Max(1, k.Taught)).ToString("F2", inv)} |");
        L();
        L("Composed tasks (A>B: A(x) looked up as a B input): chained words whose both hops are taught, and whose both hops the model completes " +
          "(the pairs `A>B` gives from `tasks/`):");
        L();
        L("| composed task | chained words taught | both hops known |");
        L("|---|---|---|");
        foreach (var c in r.Compositions) L($"| {c.Task} | {c.Taught} | {c.Known} |");
        L();
        L("## How it was built");
        L();
        L("```bash");
        L($"layersteer testbed build --out DIR --seed {s.Seed} --layers {sh.Layers} --hidden {sh.Hidden} --heads {sh.Heads} --kv-heads {sh.KvHeads} " +
          $"--vocab {sh.Vocab} --steps {s.Steps} --batch {s.Batch} --seq {s.Seq} --lr {s.Lr.ToString("G3", inv)}");
        L("```");
        L();
        L($"Training: {t.Steps} AdamW steps (peak lr {s.Lr.ToString("G3", inv)}, {s.WarmupSteps} warm-up steps, cosine decay to 10%, weight decay " +
          $"{s.WeightDecay.ToString("G3", inv)}, global-norm clipping at {s.ClipNorm.ToString("G3", inv)}) on batches of {s.Batch} sequences of {s.Seq} tokens " +
          $"(next-token loss on every position): {t.Tokens.ToString("N0", inv)} tokens, {t.Epochs} epochs of the corpus; loss {t.FirstLoss.ToString("F2", inv)} → " +
          $"{t.FinalLoss.ToString("F2", inv)}; {t.TokensPerSecond.ToString("N0", inv)} tokens/s, {t.Wall.TotalMinutes.ToString("F1", inv)} min wall on 2 shared CPU cores" +
          (t.ResumedAt > 0 ? $" (resumed at step {t.ResumedAt}; throughput and wall time of the resumed part)" : "") + ".");
        L($"Tokenizer training {r.TokenizerTime.TotalSeconds.ToString("F1", inv)} s, knowledge probe {r.ProbeTime.TotalSeconds.ToString("F1", inv)} s.");
        L();
        L("Files: config.json, model.safetensors (BF16), tokenizer.json (byte-level BPE, GPT-2 pre-tokenizer regex, `<|endoftext|>` = BOS = EOS " +
          "added before every text by a TemplateProcessing post-processor), tokenizer_config.json (with a chat template that renders one user " +
          "message as `Q: {content}\\nA:`), tasks/*.json (known pairs), facts.json (templates, relations, taught and known counts, known pairs).");
        return sb.ToString();
    }
}
