using LayerSteer.Formats;
using LayerSteer.Tensors;

namespace LayerSteer.Models.Families;

/// <summary>GPT-2: LayerNorm with bias, learned positions, Conv1D weights stored [in, out] (transposed here
/// to [out, in]), a fused c_attn split into q/k/v, gelu_new, tied wte. Keys with or without "transformer.".</summary>
public static class Gpt2Family
{
    public static Transformer Build(ModelConfig c, WeightReader w, string source, string fingerprint)
    {
        string pre = w.Has("transformer.wte.weight") ? "transformer." : "";
        int h = c.HiddenSize, ff = c.IntermediateSize;
        Norm LN(string name) => new(NormKind.Layer, w.F32(name + ".weight", h), w.F32(name + ".bias", h), c.NormEps);
        Linear Conv1D(string name, int inDim, int outDim) =>
            new(Transpose(w.F32(name + ".weight", inDim, outDim), inDim, outDim), outDim, inDim, w.F32(name + ".bias", outDim));

        var layers = new DecoderLayer[c.NumLayers];
        for (int i = 0; i < c.NumLayers; i++)
        {
            string p = $"{pre}h.{i}.";
            var qkvW = Transpose(w.F32(p + "attn.c_attn.weight", h, 3 * h), h, 3 * h);   // [3h, h]: q rows, then k, then v
            var qkvB = w.F32(p + "attn.c_attn.bias", 3 * h);
            Linear Part(int k) => new(qkvW[(k * h * h)..((k + 1) * h * h)], h, h, qkvB[(k * h)..((k + 1) * h)]);
            layers[i] = new DecoderLayer
            {
                Index = i,
                HeadDim = c.HeadDim,
                AttnNorm = LN(p + "ln_1"),
                Q = Part(0), K = Part(1), V = Part(2),
                O = Conv1D(p + "attn.c_proj", h, h),
                Attention = new Attention(c.NumHeads, c.NumHeads, c.HeadDim, 1.0 / Math.Sqrt(c.HeadDim), null, null),
                MlpNorm = LN(p + "ln_2"),
                Mlp = new Mlp(null, Conv1D(p + "mlp.c_fc", h, ff), Conv1D(p + "mlp.c_proj", ff, h), c.HiddenAct),
            };
        }
        var wte = w.Linear(pre + "wte.weight", c.VocabSize, h);
        return new Transformer
        {
            Config = c,
            Embedding = wte,
            Positions = w.F32(pre + "wpe.weight", c.MaxPositions, h),
            Layers = layers,
            Head = new OutputHead { Norm = LN(pre + "ln_f"), Head = wte },
            Source = source,
            Fingerprint = fingerprint,
        };
    }

    static float[] Transpose(float[] a, int rows, int cols)
    {
        var t = new float[a.Length];
        for (int r = 0; r < rows; r++)
            for (int col = 0; col < cols; col++) t[col * rows + r] = a[r * cols + col];
        return t;
    }
}
