using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tests.Support;
using LayerSteer.Training;

namespace LayerSteer.Tests.Intervention;

public class FitTests
{
    static Example[] Examples => [new([1, 5, 9, 33], [12, 8]), new([1, 7, 3], [40]), new([1, 44, 45, 46], [60, 61]), new([1, 20], [21, 22, 23])];

    static SuffixPath Path(Transformer m, ApplyMode mode = ApplyMode.Last) =>
        new(m, 1, Examples, mode, new TaskLoss.Nll(TokenReduction.Mean));

    [SharedFact]
    public void ProxAdamLowersTheObjectiveAndProducesExactZeros()
    {
        var m = ModelLoader.Load(Shared.Fixture("llama-tiny"));
        var reg = new SparseGroupLasso(0.05f, 0.05f, m.Config.HeadDim);
        var r = Fitter.Fit(Path(m), reg, new FitOptions { Steps = 150, Lr = 0.05f, Gamma = 0.05f, Lambda = 0.05f });
        Assert.True(r.Objective < r.History[0].Objective - 0.1, $"objective {r.History[0].Objective} → {r.Objective}");
        Assert.True(r.NonzeroEntries < m.Config.SiteWidth, "the L1 prox should leave exact zeros");
        Assert.Equal(r.Delta.Count(v => v != 0), r.NonzeroEntries);
    }

    [SharedFact]
    public void SubgradientAdamLeavesNoExactZerosWhereProxDoes()
    {
        var m = ModelLoader.Load(Shared.Fixture("llama-tiny"));
        var reg = new SparseGroupLasso(0.05f, 0.05f, m.Config.HeadDim);
        var o = new FitOptions { Steps = 60, Lr = 0.05f, Gamma = 0.05f, Lambda = 0.05f };
        var adam = Fitter.Fit(Path(m), reg, o with { Optimizer = OptimizerKind.Adam });
        var prox = Fitter.Fit(Path(m), reg, o);
        Assert.True(adam.NonzeroEntries > prox.NonzeroEntries);
        Assert.True(adam.Objective < adam.History[0].Objective);
    }

    [SharedFact]
    public void SameInputsGiveTheSameBytes()
    {
        var m = ModelLoader.Load(Shared.Fixture("gemma2-tiny"));
        var reg = new SparseGroupLasso(0.01f, 0.01f, m.Config.HeadDim);
        var o = new FitOptions { Steps = 30 };
        Assert.Equal(Fitter.Fit(Path(m, ApplyMode.All), reg, o).Delta, Fitter.Fit(Path(m, ApplyMode.All), reg, o).Delta);
    }

    [SharedFact]
    public void NonFiniteLossStopsWithTheLastGoodDelta()
    {
        var m = ModelLoader.Load(Shared.Fixture("llama-tiny"));
        var reg = new SparseGroupLasso(0f, 0f, m.Config.HeadDim);
        // A learning rate of 3e38 throws Δ to ±3e38 after one step: o_proj overflows to ±Inf and the loss to NaN.
        var e = Assert.Throws<FitDivergedException>(() => Fitter.Fit(Path(m), reg, new FitOptions { Steps = 10, Lr = 3e38f, Gamma = 0, Lambda = 0 }));
        Assert.Contains("diverged", e.Message);
        Assert.All(e.LastGood, v => Assert.True(float.IsFinite(v)));
    }
}
