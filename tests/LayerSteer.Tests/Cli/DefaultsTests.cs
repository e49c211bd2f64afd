using System.CommandLine;
using LayerSteer.Cli;
using LayerSteer.Experiments;
using LayerSteer.Intervention;
using LayerSteer.Tasks;

namespace LayerSteer.Tests.Cli;

/// <summary>Every default lives once, in the library's options records: the CLI's options read them, and `demo`, `fit`
/// and `compare` fit with the same settings.</summary>
public class DefaultsTests
{
    static ParseResult Parse(Command cmd, params string[] args) => new RootCommand { cmd }.Parse([cmd.Name, .. args]);

    [Theory]
    [InlineData(4)]
    [InlineData(32)]
    public void FitOptionsWithoutFlagsAreTheLibraryDefaults(int layers)
    {
        foreach (var name in new[] { "fit", "compare", "sweep-layers" })
        {
            var fit = new FitCliOptions();
            var cmd = new Command(name);
            fit.AddTo(cmd);
            Assert.Equal(VectorSettings.Default(layers), fit.Settings(Parse(cmd), layers));
        }
        // The demo fits with the same settings, and they are the ones the README states (lr 0.1, 200 steps, γ = λ = 0.01).
        var d = VectorSettings.Default(layers);
        Assert.Equal((0.1f, 200, 0.01f, 0.01f), (d.Fit.Lr, d.Fit.Steps, d.Fit.Gamma, d.Fit.Lambda));
        Assert.Equal(DefaultLayers.Vector(layers), d.Layer);
    }

    [Fact]
    public void TaskFvAndIcvOptionsReadTheirRecords()
    {
        var task = new TaskOptions();
        var cmd = new Command("eval");
        task.AddTo(cmd, withTask: false);
        var pr = Parse(cmd);
        Assert.Equal((RunDefaults.Shots, RunDefaults.TestSize, RunDefaults.Template.Name), (pr.GetValue(task.Shots), pr.GetValue(task.TestSize), pr.GetValue(task.Template)));

        var fv = new FvCliOptions();
        var fvCmd = new Command("fv");
        fv.AddTo(fvCmd);
        Assert.Equal(FunctionVectorSettings.Default(12), fv.Settings(Parse(fvCmd), 12));

        var icv = new IcvOptions();
        var icvCmd = new Command("compare");
        icv.AddTo(icvCmd);
        Assert.Equal(new IcvSettings(), icv.Settings(Parse(icvCmd)));
        Assert.Equal(RunDefaults.Seeds, Parse(new Command("x") { CliOptions.Seeds("") }).GetValue<int>("--seeds"));
    }

    [Theory]
    [InlineData(4, 0, 1, 1)]
    [InlineData(12, 2, 4, 3)]
    [InlineData(32, 4, 10, 8)]
    public void EachDefaultLayerRuleIsNamedOnce(int layers, int vector, int functionVector, int bench)
    {
        Assert.Equal(vector, DefaultLayers.Vector(layers));
        Assert.Equal(functionVector, DefaultLayers.FunctionVector(layers));
        Assert.Equal(bench, DefaultLayers.Benchmark(layers));
    }

    [Fact]
    public void CacheKeysAreCultureInvariant()
    {
        var before = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            string de = VectorSettings.Default(4).Key;
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
            Assert.Equal(VectorSettings.Default(4).Key, de);
            Assert.Contains("lr=0.1;", de);
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = before; }
    }
}
