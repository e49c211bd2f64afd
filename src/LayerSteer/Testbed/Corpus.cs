using LayerSteer.Tasks;

namespace LayerSteer.Testbed;

/// <summary>The training text, one epoch at a time (seeded by epoch): every fact once as a sentence in one of its templates
/// (never its held-back one), grouped 1–6 sentences to a document; and every auxiliary fact once more in each task format
/// the evaluation uses (fv `Q: x\nA: y` and paper `x:y` lists), 3–10 demonstrations of one relation per document.</summary>
public sealed class Corpus(FactSet facts, int seed)
{
    public const int MinDemos = 3, MaxDemos = 10, MaxSentences = 6;

    public FactSet Facts => facts;

    /// <summary>The documents of epoch <paramref name="epoch"/> in training order (no BOS: the tokenizer adds it).</summary>
    public List<string> Epoch(int epoch)
    {
        var rng = new Random(unchecked(seed * 1_000_003 + epoch));
        var sentences = new List<string>();
        foreach (var f in facts.All)
        {
            var allowed = f.Relation.Templates.Where(t => t != f.HeldBack).ToArray();
            sentences.Add(Relation.Fill(allowed[rng.Next(allowed.Length)], f.X, f.Y));
        }
        FactSet.Shuffle(sentences, rng);
        var docs = new List<string>();
        for (int i = 0; i < sentences.Count;)
        {
            int k = Math.Min(rng.Next(1, MaxSentences + 1), sentences.Count - i);
            docs.Add(string.Join(" ", sentences.GetRange(i, k)));
            i += k;
        }
        foreach (var r in facts.Relations.Where(r => !r.Paper))
            foreach (var template in new[] { PromptTemplate.Fv, PromptTemplate.Paper })
            {
                var fs = facts.ByRelation[r.Name].ToArray();
                FactSet.Shuffle(fs, rng);
                for (int i = 0; i < fs.Length;)
                {
                    int k = Math.Min(rng.Next(MinDemos, MaxDemos + 1), fs.Length - i);
                    if (k < MinDemos) break;
                    var demos = fs[i..(i + k - 1)].Select(f => new Pair(f.X, f.Y)).ToArray();
                    docs.Add(template.Prompt(fs[i + k - 1].X, demos) + template.Target(fs[i + k - 1].Y));
                    i += k;
                }
            }
        FactSet.Shuffle(docs, rng);
        return docs;
    }
}
