using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using LayerSteer.Formats;
using LayerSteer.Models;
using LayerSteer.Tasks;
using LayerSteer.Tokenizers;
using LayerSteer.Tokenizers.Training;
using LayerSteer.Tensors;
using LayerSteer.Hub;

namespace LayerSteer.Testbed;

/// <summary>What a build produced: the training report, taught and known facts per relation, and chained words per composition.</summary>
public sealed record TestbedReport(TrainReport Training, IReadOnlyList<(string Relation, bool Paper, int Taught, int Known)> Knowledge,
    IReadOnlyList<(string Task, int Taught, int Known)> Compositions, TimeSpan TokenizerTime, TimeSpan ProbeTime);

/// <summary>`testbed build`: facts → corpus → byte-level BPE → Llama trained from scratch → knowledge probe → a Hugging Face
/// folder (config.json, BF16 model.safetensors, tokenizer files, tasks/ of known pairs, facts.json, README.md).</summary>
public static class TestbedBuilder
{
    public const string Bos = "<|endoftext|>";
    /// <summary>A single user message renders as the fv task prompt, so a chat request runs the model in its task template.</summary>
    public const string ChatTemplate =
        "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}Q: {{ message['content'] }}\nA:" +
        "{% elif message['role'] == 'assistant' %} {{ message['content'] }}\n\n{% endif %}{% endfor %}";
    const string Checkpoint = "checkpoint.safetensors";

    public static TestbedReport Build(string outDir, string dataDir, TestbedSettings s, bool resume, Action<string> log, Action<TrainProgress>? progress)
    {
        s.Validate();
        if (!Directory.Exists(Path.Combine(dataDir, "abstractive")))
            throw LayerSteerException.InFile(dataDir, "no abstractive/ folder of function_vectors task files here (pass --data)");
        Directory.CreateDirectory(outDir);
        var facts = FactSet.Select(dataDir, Relation.All, s.Seed);
        var corpus = new Corpus(facts, s.Seed);
        log($"facts: {string.Join(", ", facts.Relations.Select(r => $"{r.Name} {facts.ByRelation[r.Name].Length}"))}");

        var sw = Stopwatch.StartNew();
        var bpe = BpeTrainer.Train(corpus.Epoch(0), s.Shape.Vocab, [Bos]);
        TokenizerJsonWriter.Write(outDir, bpe, s.Shape.MaxPositions, ChatTemplate);
        var tok = HfTokenizerJson.Load(Path.Combine(outDir, HfTokenizerJson.FileName));
        var tokTime = sw.Elapsed;
        log($"tokenizer: {bpe.Vocab.Count} tokens ({bpe.Merges.Count} merges) in {tokTime.TotalSeconds:F1} s");

        long epochTokens = corpus.Epoch(0).Sum(doc => (long)tok.Encode(doc).Length);
        log($"corpus: {epochTokens:N0} tokens per epoch; {s.Steps} steps × {s.Batch} × {s.Seq} = {(double)s.Steps * s.Batch * s.Seq / epochTokens:F1} epochs");
        var net = TestbedModel.Init(s.Shape, s.Seed);
        log($"model: {s.Shape.Layers} layers, hidden {s.Shape.Hidden}, {s.Shape.Heads} heads ({s.Shape.KvHeads} kv), MLP {s.Shape.Inner}, vocab {s.Shape.Vocab}: {net.Count:N0} parameters");
        string ckpt = Path.Combine(outDir, Checkpoint);
        var train = TestbedTrainer.Train(net, new TokenStream(corpus, tok, s.Seq), s, ckpt, resume, progress);

        AtomicFile.WriteText(Path.Combine(outDir, "config.json"), s.Shape.ConfigJson("bfloat16").ToJsonString(Indented));
        SafeTensorsWriter.Write(Path.Combine(outDir, "model.safetensors"), net.Tensors(DType.BF16), new Dictionary<string, string> { ["format"] = "pt" });

        // Probe the folder as shipped (BF16 weights, the written tokenizer), not the fp32 training copy.
        sw.Restart();
        var shipped = ModelBundle.Open(outDir);
        var all = facts.All.ToArray();
        var known = KnowledgeProbe.Run(shipped.Model, shipped.RequireTokenizer(), all);
        var probeTime = sw.Elapsed;
        var knownFacts = all.Where((_, i) => known[i]).ToLookup(f => f.Relation.Name);
        var knowledge = facts.Relations.Select(r => (r.Name, r.Paper, facts.ByRelation[r.Name].Length, knownFacts[r.Name].Count())).ToList();
        var comps = Relation.Compositions.Select(c => ($"{c.First}>{c.Second}", facts.Chained(c.First, c.Second), KnownChains(knownFacts[c.First], knownFacts[c.Second]))).ToList();
        var report = new TestbedReport(train, knowledge, comps, tokTime, probeTime);

        Directory.CreateDirectory(Path.Combine(outDir, "tasks"));
        foreach (var r in facts.Relations.Where(r => knownFacts[r.Name].Any()))   // a task file needs pairs
            AtomicFile.WriteText(Path.Combine(outDir, "tasks", r.Name + ".json"),
                JsonSerializer.Serialize(knownFacts[r.Name].Select(f => new { input = f.X, output = f.Y }), Indented));
        AtomicFile.WriteText(Path.Combine(outDir, "facts.json"), FactsJson(facts, knownFacts, report).ToJsonString(Indented));
        AtomicFile.WriteText(Path.Combine(outDir, "README.md"), TestbedReadme.Text(s, net.Count, report));
        AtomicFile.WriteText(Path.Combine(outDir, "LICENSE.function_vectors"), File.ReadAllText(Path.Combine(dataDir, "LICENSE")));
        File.Delete(ckpt);
        return report;
    }

    static int KnownChains(IEnumerable<Fact> first, IEnumerable<Fact> second)
    {
        var inputs = second.Select(f => f.X).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return first.Count(f => inputs.Contains(f.Y));
    }

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static JsonObject FactsJson(FactSet facts, ILookup<string, Fact> known, TestbedReport report)
    {
        JsonArray Arr(IEnumerable<string> xs) => new(xs.Select(x => (JsonNode)x).ToArray());
        return new JsonObject
        {
            ["knowledge"] = new JsonObject(facts.Relations.Select(r => KeyValuePair.Create(r.Name,
                (JsonNode?)new JsonArray(known[r.Name].Select(f => (JsonNode)new JsonArray(f.X, f.Y)).ToArray())))),
            ["taught"] = new JsonObject(report.Knowledge.Select(k => KeyValuePair.Create(k.Relation, (JsonNode?)k.Taught))),
            ["known"] = new JsonObject(report.Knowledge.Select(k => KeyValuePair.Create(k.Relation, (JsonNode?)k.Known))),
            ["templates"] = new JsonObject(facts.Relations.Select(r => KeyValuePair.Create(r.Name,
                (JsonNode?)new JsonObject { ["forward"] = Arr(r.Forward), ["backward"] = Arr(r.Backward) }))),
            ["paper_relations"] = Arr(facts.Relations.Where(r => r.Paper).Select(r => r.Name)),
            ["aux_tasks"] = Arr(facts.Relations.Where(r => !r.Paper).Select(r => r.Name)),
            ["task_formats"] = Arr([PromptTemplate.Fv.Query + PromptTemplate.Fv.Answer + PromptTemplate.Fv.DemoSeparator,
                                    PromptTemplate.Paper.Query + PromptTemplate.Paper.Answer + PromptTemplate.Paper.DemoSeparator]),
            ["compositions"] = new JsonObject(report.Compositions.Select(c => KeyValuePair.Create(c.Task,
                (JsonNode?)new JsonObject { ["taught_chains"] = c.Taught, ["known_chains"] = c.Known }))),
            ["probe"] = "greedy completion of the fact's held-back forward template (forward[index mod count], never shown with that fact in training), cut before {y}",
            ["pretokenizer_regex"] = TokenRegex.Gpt2,
        };
    }
}
