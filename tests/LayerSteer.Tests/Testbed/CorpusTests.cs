using LayerSteer.Tasks;
using LayerSteer.Testbed;

namespace LayerSteer.Tests.Testbed;

/// <summary>The testbed's corpus, from the repository's own data/function_vectors (never ../shared).</summary>
public class CorpusTests
{
    static readonly string Data = TestbedData.DefaultDir() ?? throw new InvalidOperationException("the repository has no data/function_vectors");
    static readonly FactSet Facts = FactSet.Select(Data, Relation.All, seed: 0);

    [Fact]
    public void TeachesEnoughFactsAndChains()
    {
        foreach (var r in Relation.All.Where(r => r.Paper)) Assert.True(Facts.ByRelation[r.Name].Length >= 1000, r.Name);
        Assert.True(Relation.All.Count(r => !r.Paper) >= 8);
        foreach (var r in Relation.All.Where(r => !r.Paper)) Assert.True(Facts.ByRelation[r.Name].Length >= 100, r.Name);
        foreach (var (a, b) in Relation.Compositions) Assert.True(Facts.Chained(a, b) >= 300, $"{a}>{b}: {Facts.Chained(a, b)} chained words");
        foreach (var r in Relation.All)
            Assert.Equal(Facts.ByRelation[r.Name].Length, Facts.ByRelation[r.Name].Select(f => f.X).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void SelectionIsSeeded()
    {
        var again = FactSet.Select(Data, Relation.All, seed: 0);
        var other = FactSet.Select(Data, Relation.All, seed: 1);
        Assert.Equal(Facts.All.Select(f => (f.X, f.Y)), again.All.Select(f => (f.X, f.Y)));
        Assert.NotEqual(Facts.All.Select(f => (f.X, f.Y)), other.All.Select(f => (f.X, f.Y)));
        var corpus = new Corpus(Facts, 0);
        Assert.Equal(corpus.Epoch(2), new Corpus(again, 0).Epoch(2));
        Assert.NotEqual(corpus.Epoch(2), corpus.Epoch(3));
    }

    [Fact]
    public void PaperRelationsAppearOnlyInSentencesAndAuxiliaryOnesAlsoInBothTaskFormats()
    {
        var aux = Facts.Relations.Where(r => !r.Paper).SelectMany(r => Facts.ByRelation[r.Name]).Select(f => (f.X, f.Y)).ToHashSet();
        var docs = new Corpus(Facts, 0).Epoch(0);
        int fv = 0, paper = 0;
        foreach (var doc in docs)
        {
            if (doc.StartsWith("Q: "))
            {
                var demos = doc.Split("\n\n");
                Assert.InRange(demos.Length, Corpus.MinDemos, Corpus.MaxDemos);
                foreach (var d in demos)
                {
                    var qa = d.Split("\nA: ");
                    Assert.Contains((qa[0]["Q: ".Length..], qa[1]), aux);
                }
                fv++;
            }
            else if (!doc.Contains(' ') || doc.Split('\n').All(l => l.Contains(':') && aux.Any(p => l == p.X + ":" + p.Y)))
            {
                var lines = doc.Split('\n');
                Assert.InRange(lines.Length, Corpus.MinDemos, Corpus.MaxDemos);
                foreach (var l in lines) Assert.Contains(aux, p => l == PromptTemplate.Paper.Prompt(p.X) + PromptTemplate.Paper.Target(p.Y));
                paper++;
            }
            else Assert.DoesNotContain("\nA:", doc);
        }
        int auxFacts = Facts.Relations.Where(r => !r.Paper).Sum(r => Facts.ByRelation[r.Name].Length);
        Assert.True(fv >= auxFacts / Corpus.MaxDemos && paper >= auxFacts / Corpus.MaxDemos, $"{fv} fv and {paper} list documents");
    }

    [Fact]
    public void NoFactIsEverShownInItsHeldBackTemplate()
    {
        var text = string.Join("\n", Enumerable.Range(0, 3).SelectMany(e => new Corpus(Facts, 0).Epoch(e)));
        foreach (var f in Facts.All)
        {
            string held = Relation.Fill(f.HeldBack, f.X, f.Y);
            int at = text.IndexOf(held, StringComparison.Ordinal);
            // a sentence starts a document or follows ". " (a longer name ending in x is another fact)
            while (at > 0 && text[at - 1] != '\n' && !(text[at - 1] == ' ' && text[at - 2] == '.')) at = text.IndexOf(held, at + 1, StringComparison.Ordinal);
            Assert.True(at < 0, $"\"{held}\" is in the corpus");
        }
        // ...while every other template of a fact does appear for some facts, so the held-back wording is familiar.
        foreach (var r in Facts.Relations)
            foreach (var t in r.Templates)
                Assert.Contains(Facts.ByRelation[r.Name], f => f.HeldBack != t && text.Contains(Relation.Fill(t, f.X, f.Y)));
    }

    [Fact]
    public void ProbePromptStopsBeforeTheAnswer()
    {
        Assert.Equal("the opposite of hot is", Relation.ProbePrompt("the opposite of {x} is {y}.", "hot"));
        Assert.All(Relation.All.SelectMany(r => r.Forward), t => Assert.EndsWith(" {y}.", t));
    }
}
