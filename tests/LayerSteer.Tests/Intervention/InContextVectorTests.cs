using System.Numerics.Tensors;
using LayerSteer.Intervention;
using LayerSteer.Models;
using LayerSteer.Tasks;
using LayerSteer.Tests.Support;
using LayerSteer.Hub;

namespace LayerSteer.Tests.Intervention;

public class InContextVectorTests
{
    static void Steer(InContextVector icv, float strength, float[] rows, int layer = 0) =>
        icv.Hook(strength).AfterLayer(layer, rows, new RowLayout([rows.Length / icv.Layers[0].Length], [0]));

    static float MaxAbsDiff(float[] a, float[] b) => a.Zip(b, (x, y) => MathF.Abs(x - y)).Max();

    [Fact]
    public void CombinesTheMeanDifferenceWithTheFirstPrincipalDirection()
    {
        // Differences m + aᵢ·v over 2 layers × 2 hidden (Σa = 0): ICV = m + v (unit v, sign of the farthest row), split per layer.
        double[] m = [1, -2, 0.5, 3], v = [0.6, 0, 0, 0.8];
        double[] a = [-1, -3, 4];
        var icv = InContextVector.Combine(a.Select(ai => m.Select((mj, j) => mj + ai * v[j]).ToArray()).ToArray(), layers: 2);
        Assert.Equal(2, icv.Layers.Length);
        Assert.Equal([1.6f, -2f], icv.Layers[0].Select(x => MathF.Round(x, 5)));
        Assert.Equal([0.5f, 3.8f], icv.Layers[1].Select(x => MathF.Round(x, 5)));
        Assert.Equal(1.0, icv.VarianceShare, 9);
    }

    [Fact]
    public void HookFollowsTheReferenceFormulaWithItsSimilarityFactor()
    {
        // u = (0, 1). h = (3, 0) is orthogonal to u: factor 1. h = (1, −1) points away from u: factor 1 + cos(h, −u) = 1 + 1/√2.
        var icv = new InContextVector([[0f, 5f]], 1);
        float[] rows = [3, 0, 1, -1];
        Steer(icv, 0.1f, rows);
        double n1 = Math.Sqrt(1 + 0.01);
        Assert.Equal(3 / n1, rows[0], 5);
        Assert.Equal(0.3 / n1, rows[1], 5);
        double r = Math.Sqrt(0.5), k = 0.1 * (1 + r);
        double tx = r, ty = -r + k, tn = Math.Sqrt(tx * tx + ty * ty);
        Assert.Equal(Math.Sqrt(2) * tx / tn, rows[2], 5);
        Assert.Equal(Math.Sqrt(2) * ty / tn, rows[3], 5);
    }

    [Fact]
    public void HookKeepsEveryRowsNormAndTurnsItTowardTheIcv()
    {
        var rng = new Random(7);
        float[] R(int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1) * 4).ToArray();
        int d = 24, rowsN = 9;
        var icv = new InContextVector([R(d), R(d)], 0.5);
        var rows = R(d * rowsN);
        var before = (float[])rows.Clone();
        Steer(icv, 0.3f, rows, layer: 1);
        var u = icv.Layers[1];
        for (int r = 0; r < rowsN; r++)
        {
            var h0 = before.AsSpan(r * d, d);
            var h1 = rows.AsSpan(r * d, d);
            Assert.Equal(TensorPrimitives.Norm(h0), TensorPrimitives.Norm(h1), 4);
            Assert.True(TensorPrimitives.CosineSimilarity(h1, u) > TensorPrimitives.CosineSimilarity(h0, u) + 1e-3);
        }
    }

    [SharedFact]
    public void LastTokenStatesEqualTheResidualAfterEachLayerOfAPlainForward()
    {
        var m = ModelLoader.Load(Shared.Fixture("llama-tiny"));
        int[][] texts = [[1, 5, 9, 33], [1, 7], [1, 44, 45, 46, 47, 48]];
        var states = InContextVector.LastTokenStates(m, texts);
        for (int t = 0; t < texts.Length; t++)
            for (int l = 0; l < m.Config.NumLayers; l++)
            {
                // Layers 0..l alone, no hook, one text: the last row is the residual after layer l.
                var rows = new RowLayout([texts[t].Length], [0]);
                var x = m.Embed(texts[t], rows);
                m.RunLayers(x, rows, [m.NewCache()], 0, l + 1);
                var last = x.AsSpan((texts[t].Length - 1) * m.Hidden, m.Hidden);
                Assert.True(MaxAbsDiff(last.ToArray(), states[t][l]) < 1e-5f, $"text {t}, layer {l}");
            }
    }

    [SharedFact]
    public void StrengthZeroIsZeroShotAndAPositiveStrengthIsNot()
    {
        var b = ModelBundle.Open(Shared.Model("wordworld-v1"));
        var enc = new TaskEncoder(b.RequireTokenizer(), PromptTemplate.Fv);
        var pairs = TaskPairs.Resolve("antonym", TaskPairs.SearchRoots(null, b.Path, [])).Pairs;
        int[] Ids(string s) => enc.Tokenizer.Encode(enc.Template.Target(s));
        var icv = InContextVector.Extract(b.Model, pairs.Take(10).Select(p => Ids(p.Input)).ToArray(), pairs.Take(10).Select(p => Ids(p.Output)).ToArray());
        var prompts = pairs.Skip(10).Take(12).Select(p => enc.Prompt(p.Input)).ToArray();
        float[] Logits(IActivationHook? hook) => b.Model.Forward(prompts, prompts.Select(p => b.Model.NewCache(p.Length)).ToArray(), hook);
        var plain = Logits(null);
        var zero = Logits(icv.Hook(0f));
        Assert.True(MaxAbsDiff(plain, zero) < 1e-4f, "λ = 0 changes only float rounding");
        Assert.True(MaxAbsDiff(plain, Logits(icv.Hook(0.3f))) > 0.1f, "λ = 0.3 should move the logits");

        var eval = new Evaluator(b.Model, enc);
        var test = pairs.Skip(10).Take(12).ToArray();
        var zeroShot = eval.Evaluate(test, null, null);
        var icv0 = eval.Evaluate(test, null, new Steering { Hook = _ => icv.Hook(0f) });
        Assert.Equal(zeroShot.Items.Select(x => x.Prediction), icv0.Items.Select(x => x.Prediction));
    }
}
