using LayerSteer.Models;
using LayerSteer.Tests.Support;
using LayerSteer.Verification;

namespace LayerSteer.Tests.Models;

public class ParityTests
{
    public static TheoryData<string> Fixtures => new() { "llama-tiny", "qwen2-tiny", "llama3-rope-tiny", "gemma2-tiny", "gpt2-tiny",
        "qwen3-tiny", "gemma3-tiny", "phi3-tiny", "olmo2-tiny" };

    [SharedTheory]
    [MemberData(nameof(Fixtures))]
    public void LogitsInterventionAndGradientMatchReference(string name)
    {
        var model = ModelLoader.Load(Shared.Fixture(name));
        var (_, cases) = ParityFixture.Load(Shared.Path("fixtures", name, "fixture.json"));
        var results = ParityCheck.Run(model, cases, GradientCheck.Compute);
        Assert.Equal(5, results.Count);
        foreach (var r in results)
        {
            Assert.True(r.LogitsMaxAbs < 1e-4, $"{name} case {r.Case}: logits off by {r.LogitsMaxAbs}");
            Assert.True(r.IntervenedMaxAbs < 1e-4, $"{name} case {r.Case}: intervened logits off by {r.IntervenedMaxAbs}");
            Assert.True(r.ArgmaxAllMatch, $"{name} case {r.Case}: argmax at some position differs");
            Assert.True(r.LossAbs < 1e-4, $"{name} case {r.Case}: loss off by {r.LossAbs}");
            Assert.True(r.GradMaxRel < 1e-4, $"{name} case {r.Case}: gradient off by {r.GradMaxRel} (relative)");
        }
    }

    [SharedFact]
    public void SixteenBitStorageGivesTheSameLogitsAsFp32()
    {
        // qwen2-tiny is stored in BF16: computing from the mapped 16-bit weights (panels for the prompt, the GEMV for the last
        // row's logits) must give the fp32 copy's logits to float rounding (the GEMV sums in another order).
        var fp32 = ModelLoader.Load(Shared.Fixture("qwen2-tiny"), keep16Bit: false);
        var bf16 = ModelLoader.Load(Shared.Fixture("qwen2-tiny"), keep16Bit: true);
        int[] ids = [3, 14, 15, 9, 26, 5];
        var a = fp32.Forward([ids], [fp32.NewCache()]);
        var b = bf16.Forward([ids], [bf16.NewCache()]);
        for (int j = 0; j < a.Length; j++) Assert.True(Math.Abs(a[j] - b[j]) <= 1e-5f * (1 + Math.Abs(a[j])), $"logit {j}: {a[j]} fp32 vs {b[j]} bf16");
    }
}
