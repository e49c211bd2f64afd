using LayerSteer.Tasks;

namespace LayerSteer.Testbed;

/// <summary>One taught fact: relation(x) = y, and its index in the relation (which picks its held-back probe template).</summary>
public sealed record Fact(Relation Relation, string X, string Y, int Index)
{
    /// <summary>The forward template never used for this fact in training: the knowledge probe asks with it.</summary>
    public string HeldBack => Relation.Forward[Index % Relation.Forward.Length];
}

/// <summary>The facts the testbed teaches, chosen (seeded) from the function_vectors task files so that the composed tasks
/// have many words whose both hops are taught: the antonym/synonym facts prefer words whose answer is an English→French/German
/// input, and the translation facts include the answers of <see cref="ChainTarget"/> of them per composition.</summary>
public sealed class FactSet
{
    /// <summary>Chained words per composed task whose second hop is taught.</summary>
    public const int ChainTarget = 450;
    const int MaxLength = 40;

    public IReadOnlyDictionary<string, Fact[]> ByRelation { get; }
    public IReadOnlyList<Relation> Relations { get; }

    FactSet(IReadOnlyList<Relation> relations, Dictionary<string, Fact[]> facts) => (Relations, ByRelation) = (relations, facts);

    public IEnumerable<Fact> All => Relations.SelectMany(r => ByRelation[r.Name]);

    /// <summary>Reads <c>{dataDir}/abstractive/{relation}.json</c> for every relation and picks the facts with <paramref name="seed"/>.</summary>
    public static FactSet Select(string dataDir, IReadOnlyList<Relation> relations, int seed)
    {
        var pool = new Dictionary<string, Pair[]>();
        for (int i = 0; i < relations.Count; i++)
        {
            var r = relations[i];
            var pairs = Clean(TaskPairs.Load(Path.Combine(dataDir, "abstractive", r.Name + ".json")).Pairs);
            Shuffle(pairs, new Random(seed * 7919 + i));
            pool[r.Name] = pairs;
        }
        var chosen = new Dictionary<string, List<Pair>>();
        var firsts = Relation.Compositions.Select(c => c.First).Distinct().ToArray();
        var seconds = Relation.Compositions.Select(c => c.Second).Distinct().ToArray();
        var inputsOf = seconds.Where(pool.ContainsKey).ToDictionary(s => s, s => pool[s].Select(p => p.Input).ToHashSet(StringComparer.OrdinalIgnoreCase));
        foreach (var r in relations)
        {
            var pairs = pool[r.Name];
            if (firsts.Contains(r.Name))   // words chainable to more second hops first; OrderBy is stable, so the shuffle decides within a group
                pairs = pairs.OrderByDescending(p => inputsOf.Values.Count(s => s.Contains(p.Output))).ToArray();
            if (!seconds.Contains(r.Name)) { chosen[r.Name] = pairs.Take(r.Cap).ToList(); continue; }
            var needed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (first, _) in Relation.Compositions.Where(c => c.Second == r.Name && chosen.ContainsKey(c.First)))
                foreach (var p in chosen[first].Where(p => inputsOf[r.Name].Contains(p.Output)).Take(ChainTarget)) needed.Add(p.Output);
            var take = pairs.Where(p => needed.Contains(p.Input)).ToList();
            take.AddRange(pairs.Where(p => !needed.Contains(p.Input)).Take(Math.Max(0, r.Cap - take.Count)));
            chosen[r.Name] = take;
        }
        return new FactSet(relations, relations.ToDictionary(r => r.Name, r => chosen[r.Name].Select((p, i) => new Fact(r, p.Input, p.Output, i)).ToArray()));
    }

    // One output per input (the first), no empty, multi-line, overlong or identity pairs.
    static Pair[] Clean(IEnumerable<Pair> pairs)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return pairs.Where(p => p.Input.Length <= MaxLength && p.Output.Length <= MaxLength && !p.Input.Contains('\n') && !p.Output.Contains('\n')
                                && p.Input != p.Output && seen.Add(p.Input)).ToArray();
    }

    public static void Shuffle<T>(IList<T> a, Random rng)
    {
        for (int i = a.Count - 1; i > 0; i--) { int j = rng.Next(i + 1); (a[i], a[j]) = (a[j], a[i]); }
    }

    /// <summary>Per composed task, the first-hop facts whose answer is a taught input of the second hop.</summary>
    public int Chained(string first, string second)
    {
        var inputs = ByRelation[second].Select(f => f.X).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return ByRelation[first].Count(f => inputs.Contains(f.Y));
    }
}
