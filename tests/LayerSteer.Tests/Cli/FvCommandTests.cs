using LayerSteer.Intervention;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Cli;

/// <summary>`layersteer fv` and `eval --fv` through the real binary.</summary>
public class FvCommandTests
{
    static string Testbed => TestModels.Testbed;

    [SharedFact]
    public void FvExtractsPrintsHeadsSavesAndEvalAppliesIt()
    {
        using var tmp = new TempDir();
        string file = tmp.File("antonym-fv.safetensors");
        var fv = CliProcess.Run("fv", "--model", Testbed, "--task", "antonym", "--seed", "1", "--heads", "3", "--prompts", "4", "--out", file);
        Assert.True(fv.Exit == 0, fv.Stderr);
        Assert.Matches(@"^fv layer=2 heads=3 norm=\d+\.\d{4} wall_s=\d+\.\d out=", fv.LastLine);
        Assert.Contains("CIE", fv.Stdout);
        var saved = FunctionVectorFile.Load(file);
        Assert.Equal(3, saved.Heads.Length);
        Assert.Equal(10, saved.Header.TrainInputs.Length);
        Assert.Equal(("antonym", 1, "fv", 4), (saved.Header.Task, saved.Header.Seed, saved.Header.Template, saved.Header.Prompts));
        Assert.All(saved.Heads, h => Assert.Matches($@"│ {h.Layer}\s+│ {h.Head}\s+│", fv.Stdout));

        foreach (var method in new[] { "zero-shot", "few-shot" })
        {
            var eval = CliProcess.Run("eval", "--model", Testbed, "--task", "antonym", "--fv", file, "--method", method, "--seeds", "1", "--test-size", "10");
            Assert.True(eval.Exit == 0, eval.Stderr);
            Assert.Matches(@"^eval exact_match=\d\.\d{3}±\d\.\d{3} first_token=\d\.\d{3}±\d\.\d{3} n=\d+$", eval.LastLine);
            Assert.Contains(method == "few-shot" ? "fv-few" : "fv-zero", eval.Stdout);
        }

        var wrong = CliProcess.Run("eval", "--model", Shared.Model("stories260K-hf"), "--task", "antonym", "--fv", file, "--seeds", "1");
        Assert.Equal(1, wrong.Exit);
        Assert.Contains("another model", wrong.Stderr);
    }
}
