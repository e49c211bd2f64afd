using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Cli;

/// <summary>The CLI contract, through the real binary: last lines, exit codes, files, and one-line errors.</summary>
public class CliEndToEndTests
{
    static string WordWorld => Shared.Model("wordworld-v1");
    static string Testbed => TestModels.Testbed;

    [Fact]
    public void FitEvalAndHeadsWorkTogether()
    {
        using var tmp = new TempDir();
        string vec = tmp.File("antonym.safetensors");
        var fit = CliProcess.Run("fit", "--model", Testbed, "--task", "antonym", "--steps", "40", "--seed", "1", "--out", vec);
        Assert.True(fit.Exit == 0, fit.Stderr);
        var fitLine = System.Text.RegularExpressions.Regex.Match(fit.LastLine, @"^fit loss=(\d+\.\d{4}) objective=\d+\.\d{4} nonzero_heads=(\d+) nonzero_entries=(\d+) steps=40$");
        Assert.True(fitLine.Success, fit.LastLine);
        // The printed support is the saved Δ's: its nonzero entries, its nonzero heads, and the header says so too.
        var saved = LayerSteer.Intervention.SteeringVector.Load(vec);
        Assert.Equal(int.Parse(fitLine.Groups[3].Value), saved.Delta.Count(x => x != 0));
        Assert.Equal(int.Parse(fitLine.Groups[3].Value), saved.Header.NonzeroEntries);
        Assert.Equal(int.Parse(fitLine.Groups[2].Value), saved.Header.NonzeroHeads!.Length);
        Assert.InRange(int.Parse(fitLine.Groups[3].Value), 1, saved.Delta.Length - 1);   // γ, λ > 0 zero some entries, not all
        Assert.Equal(double.Parse(fitLine.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), saved.Header.FinalLoss!.Value, 4);

        var eval = CliProcess.Run("eval", "--model", Testbed, "--task", "antonym", "--vector", vec, "--seeds", "2", "--test-size", "20", "--json", tmp.File("e.json"));
        Assert.True(eval.Exit == 0, eval.Stderr);
        Assert.Matches(@"^eval exact_match=\d\.\d{3}±\d\.\d{3} first_token=\d\.\d{3}±\d\.\d{3} n=\d+$", eval.LastLine);
        Assert.Contains("\"prediction\"", File.ReadAllText(tmp.File("e.json")));

        var heads = CliProcess.Run("heads", "--vector", vec, "--svg", tmp.File("h.svg"));
        Assert.True(heads.Exit == 0, heads.Stderr);
        Assert.StartsWith($"heads nonzero={saved.Header.NonzeroHeads.Length}/4 [{string.Join(",", saved.Header.NonzeroHeads)}] ", heads.LastLine);
        Assert.StartsWith("<svg", File.ReadAllText(tmp.File("h.svg")));
    }

    [Fact]
    public void VerboseFitPrintsEveryStepWithItsMemoryAndThePeakOnTheLastLine()
    {
        using var tmp = new TempDir();
        var fit = CliProcess.Run("fit", "--model", Testbed, "--task", "antonym", "--steps", "5", "--out", tmp.File("v.safetensors"), "--verbose");
        Assert.True(fit.Exit == 0, fit.Stderr);
        var steps = fit.Stderr.Split('\n').Where(l => l.StartsWith("step ")).ToArray();
        Assert.Equal(5, steps.Length);
        for (int i = 0; i < steps.Length; i++)
            Assert.Matches($@"^step {i}/5 loss \d+\.\d{{4}} objective \d+\.\d{{4}} heads \d/4 entries \d+  \d+\.\d\d s  anon \d+ MiB \(peak \d+ MiB\), file-backed \d+ MiB$", steps[i].TrimEnd());
        var last = System.Text.RegularExpressions.Regex.Match(fit.LastLine, @" steps=5 seconds=\d+\.\d peak_anon_mib=(\d+)$");
        Assert.True(last.Success, fit.LastLine);
        Assert.InRange(int.Parse(last.Groups[1].Value), 1, 4096);   // the testbed's fit holds tens of MiB
    }

    [Fact]
    public void DemoOnTheDefaultModelPrintsItsNumbers()
    {   // no --model: the committed testbed is the default (run inside the repository, without $LAYERSTEER_MODEL)
        var r = CliProcess.Run("demo");
        Assert.True(r.Exit == 0, r.Stderr);
        var m = System.Text.RegularExpressions.Regex.Match(r.LastLine, @"^demo zero_shot=(\d\.\d\d) few_shot=(\d\.\d\d) vector=(\d\.\d\d) nonzero_entries=(\d+) \(exact match, held-out\)$");
        Assert.True(m.Success, r.LastLine);
        double V(int g) => double.Parse(m.Groups[g].Value, System.Globalization.CultureInfo.InvariantCulture);
        // The README's demo numbers (lr 0.1, 200 steps, ℓ = 1, seed 0): prompting cannot elicit antonyms, Δ can.
        Assert.Contains("testbed-v1", r.Stdout);
        Assert.InRange(V(1), 0.00, 0.03);
        Assert.InRange(V(2), 0.00, 0.03);
        Assert.InRange(V(3), 0.28, 0.34);
        Assert.InRange(int.Parse(m.Groups[4].Value), 38, 52);
        Assert.Contains("lr 0.1, 200 steps", r.Stdout);
    }

    [SharedFact]
    public void VectorFromAnotherModelIsAOneLineError()
    {
        using var tmp = new TempDir();
        string vec = tmp.File("v.safetensors");
        Assert.Equal(0, CliProcess.Run("fit", "--model", Testbed, "--task", "antonym", "--steps", "2", "--out", vec).Exit);
        var r = CliProcess.Run("generate", "--model", Shared.Model("stories260K-hf"), "--prompt-ids", "1", "--vector", vec);
        Assert.Equal(1, r.Exit);
        Assert.StartsWith("error: ", r.Stderr.Trim().Split('\n')[^1]);   // after the managed-GEMM warning, when OpenBLAS is absent
        Assert.Contains("another model", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);   // no stack trace
    }

    [Theory]
    [InlineData("no-such-task", "unknown task")]
    [InlineData("BAD_JSON", "not valid JSON")]
    [InlineData("EMPTY", "no pairs")]
    public void BadTasksAreClearErrors(string task, string expected)
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.File("BAD_JSON.json"), "[{\"input\": ");
        File.WriteAllText(tmp.File("EMPTY.json"), "[]");
        var r = CliProcess.Run("fit", "--model", Testbed, "--task", task, "--data", tmp.Path, "--out", tmp.File("v.safetensors"));
        Assert.Equal(1, r.Exit);
        Assert.Contains(expected, r.Stderr);
        Assert.False(File.Exists(tmp.File("v.safetensors")));
    }

    [Fact]
    public void TooManyShotsIsAClearError()
    {
        using var tmp = new TempDir();
        var r = CliProcess.Run("fit", "--model", Testbed, "--task", "antonym", "--shots", "5000", "--out", tmp.File("v.safetensors"));
        Assert.Equal(1, r.Exit);
        Assert.Contains("cannot take 5000 training pairs", r.Stderr);
    }

    [SharedFact]
    public void GenerateFromTheLlama2cCheckpointGivesTheGoldenIds()
    {
        var golden = File.ReadAllLines(Shared.Path("models", "stories260K", "golden_greedy_bos_64.txt")).First(l => l.StartsWith("ids:"))[4..].Trim();
        var r = CliProcess.Run("generate", "--model", Shared.Path("models", "stories260K", "stories260K.bin"), "--prompt-ids", "1", "--max-new-tokens", "64", "--greedy", "--output", "ids");
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.Equal(golden, r.LastLine);
    }

    [Fact]
    public void CompareResumesFromItsCache()
    {
        using var tmp = new TempDir();
        string[] args = ["compare", "--model", Testbed, "--tasks", "antonym,synonym", "--methods", "zero-shot,few-shot", "--seeds", "1",
            "--test-size", "10", "--cache", tmp.File("cache"), "--markdown", tmp.File("t.md")];
        var first = CliProcess.Run(args);
        Assert.True(first.Exit == 0, first.Stderr);
        var cells = Directory.GetFiles(tmp.File("cache"));
        Assert.Equal(4, cells.Length);
        // Simulate an interruption: one cell never got written. The rerun recomputes only that one.
        File.Delete(cells[0]);
        var stamps = cells.Skip(1).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        string table = File.ReadAllText(tmp.File("t.md"));
        var second = CliProcess.Run(args);
        Assert.True(second.Exit == 0, second.Stderr);
        Assert.True(File.Exists(cells[0]));
        Assert.All(stamps, kv => Assert.Equal(kv.Value, File.GetLastWriteTimeUtc(kv.Key)));
        Assert.Equal(table, File.ReadAllText(tmp.File("t.md")));
    }

    [Fact]
    public void CompositionTableRunsEndToEndAndResumes()
    {
        using var tmp = new TempDir();
        string[] args = ["compare", "--model", Testbed, "--composition", "--shots", "2", "--test-size", "20", "--seeds", "1", "--steps", "10",
            "--cache", tmp.File("cache"), "--markdown", tmp.File("t.md"), "--json", tmp.File("c.json")];
        var r = CliProcess.Run(args);
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.Matches(@"^compare composition cells=8 add_exact_match=\d\.\d{3} add_nonzero_entries=\d+\.\d refit_exact_match=\d\.\d{3} refit_nonzero_entries=\d+\.\d wall_s=\d+$", r.LastLine);
        string md = File.ReadAllText(tmp.File("t.md"));
        Assert.Contains("| method | antonym>english-french | antonym>english-german | synonym>english-french | synonym>english-german |", md);
        Assert.Contains("| Add (Δ_A + Δ_B) |", md);
        Assert.Contains("| Re-fit (Δ on composed pairs) |", md);
        Assert.Contains("| n (test pairs per seed) | 20 | 20 | 20 | 20 |", md);   // --test-size of the 438–503 chained pairs
        Assert.Equal(8, System.Text.Json.JsonDocument.Parse(File.ReadAllText(tmp.File("c.json"))).RootElement.GetArrayLength());
        // Every cell is cached: a rerun computes nothing and prints the same table.
        var stamps = Directory.GetFiles(tmp.File("cache")).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Assert.Equal(8, stamps.Count);
        var again = CliProcess.Run(args);
        Assert.True(again.Exit == 0, again.Stderr);
        Assert.All(stamps, kv => Assert.Equal(kv.Value, File.GetLastWriteTimeUtc(kv.Key)));
        Assert.Equal(md, File.ReadAllText(tmp.File("t.md")));
    }

    [SharedFact]
    public void CompositionWithTheDefaultShotsSaysToLowerThem()
    {
        using var tmp = new TempDir();
        var r = CliProcess.Run("compare", "--model", WordWorld, "--composition", "--cache", tmp.File("cache"));
        Assert.Equal(1, r.Exit);
        Assert.Contains("antonym>english-french has 5 distinct inputs: cannot take 10 training pairs", r.Stderr);
        Assert.Contains("lower --shots to at most 4", r.Stderr);
        Assert.False(Directory.Exists(tmp.File("cache")), "the split is checked before the model loads or any cell runs");
    }

    [SharedFact]
    public void OpinionsPrintsTheAverageKlLine()
    {
        var r = CliProcess.Run("opinions", "--model", Testbed, "--groups", "CREGION=Northeast", "--seeds", "1", "--train", "3", "--test", "5", "--steps", "5");
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.Matches(@"^opinions avg_kl zero=\d+\.\d{4} few=\d+\.\d{4} vector=\d+\.\d{4}$", r.LastLine);
    }

    [SharedTheory]
    [InlineData("gemma2-tiny", 64)]   // 4 heads × 16: wider than its hidden size of 32
    [InlineData("gpt2-tiny", 32)]
    [InlineData("qwen2-tiny", 48)]
    public void InfoShowsTheSiteWidthOfEachFamily(string fixture, int width)
    {
        var r = CliProcess.Run("info", "--model", Shared.Fixture(fixture));
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.Matches($@"site width\s*│\s*{width} \(o_proj input", r.Stdout);
    }
}
