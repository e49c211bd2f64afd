using LayerSteer.Experiments;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tasks;
using LayerSteer.Tests.Support;
using LayerSteer.Training;
using LayerSteer.Hub;

namespace LayerSteer.Tests.Experiments;

/// <summary>Table 4 on wordworld-v1: the unregularised vector is dense, the regularised one sparser, on the same split.</summary>
public class RegularizationAblationTests
{
    [SharedFact]
    public void TwoRowsAndOnlyTheRegularisedFitHasExactZeros()
    {
        using var tmp = new TempDir();
        var b = ModelBundle.Open(Shared.Model("wordworld-v1"));
        var enc = new TaskEncoder(b.RequireTokenizer(), PromptTemplate.Fv);
        var s = new VectorSettings(0, ApplyMode.Last, TokenReduction.Mean, new FitOptions { Steps = 20, Lr = 0.1f });
        var methods = RegularizationAblation.Methods(s);
        var grid = new MethodGrid(b.Model, enc, _ => new Evaluator(b.Model, enc), tmp.Path) { TestSize = 5 };
        var cells = grid.Run(methods, [TaskPairs.Resolve("antonym", TaskPairs.SearchRoots(null, b.Path, []))], 1).ToList();

        Assert.Equal(["vector γ=λ=0", "vector γ=λ=0.01"], cells.Select(c => c.Method));
        var (dense, sparse) = (cells[0].Score, cells[1].Score);
        Assert.Equal(b.Model.Config.SiteWidth, dense.NonzeroEntries);
        Assert.True(sparse.NonzeroEntries < dense.NonzeroEntries, $"{sparse.NonzeroEntries} nonzero with γ = λ = 0.01");
        string md = GridTable.Markdown(cells);
        Assert.Contains("| vector γ=λ=0 (nonzero heads / entries) |", md);
        Assert.Contains("| vector γ=λ=0.01 (nonzero heads / entries) |", md);
    }

    [Fact]
    public void UserRegularisationNamesTheRowAndZeroIsRefused()
    {
        var s = new VectorSettings(0, ApplyMode.Last, TokenReduction.Mean, new FitOptions { Gamma = 0.02f, Lambda = 0.005f });
        Assert.Equal(["vector γ=λ=0", "vector γ=0.02, λ=0.005"], RegularizationAblation.Methods(s).Select(m => m.Name));
        Assert.Throws<LayerSteerException>(() => RegularizationAblation.Methods(s with { Fit = s.Fit with { Gamma = 0, Lambda = 0 } }));
    }
}
