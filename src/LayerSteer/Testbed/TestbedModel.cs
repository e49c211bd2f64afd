using LayerSteer.Adapters;
using LayerSteer.Formats;
using LayerSteer.Models;
using LayerSteer.Tensors;
using LayerSteer.Training;

namespace LayerSteer.Testbed;

/// <summary>A Llama whose every weight is a trainable <see cref="Parameter"/> under its Hugging Face name: the
/// <see cref="Transformer"/> runs on the parameters' own arrays, so an optimiser step changes the model in place.</summary>
public sealed class TestbedModel
{
    public TestbedShape Shape { get; }
    public Transformer Model { get; }
    /// <summary>Every parameter, in a fixed order (the optimiser's and the checkpoint's).</summary>
    public IReadOnlyList<Parameter> Parameters { get; }
    public Parameter Embedding { get; }
    /// <summary>The LM head's weight [vocab, hidden]: the embedding itself when tied.</summary>
    public Parameter Head { get; }

    readonly Dictionary<string, long[]> _shapes = [];

    public const string EmbedName = "model.embed_tokens.weight";

    TestbedModel(TestbedShape shape, Func<string, long[], float[]> init)
    {
        shape.Validate();
        Shape = shape;
        int h = shape.Hidden, kv = shape.KvHeads * shape.HeadDim, ff = shape.Inner, v = shape.Vocab;
        var ps = new List<Parameter>();
        Parameter P(string name, params long[] dims) { var p = new Parameter(name, init(name, dims)); ps.Add(p); _shapes[name] = dims; return p; }
        TrainableLinear L(string name, int o, int i) => new(P(name, o, i), o, i);
        Norm N(string name) { var p = P(name, h); return new Norm(NormKind.Rms, p.Value, null, TestbedShape.NormEps) { WeightGrad = p.Grad }; }

        Embedding = P(EmbedName, v, h);
        var config = shape.Config();
        var rope = new Rope(shape.HeadDim, shape.HeadDim, TestbedShape.RopeTheta, null);
        var layers = new DecoderLayer[shape.Layers];
        for (int l = 0; l < shape.Layers; l++)
        {
            string p = $"model.layers.{l}.";
            layers[l] = new DecoderLayer
            {
                Index = l,
                HeadDim = shape.HeadDim,
                AttnNorm = N(p + "input_layernorm.weight"),
                Q = L(p + "self_attn.q_proj.weight", h, h),
                K = L(p + "self_attn.k_proj.weight", kv, h),
                V = L(p + "self_attn.v_proj.weight", kv, h),
                O = L(p + "self_attn.o_proj.weight", h, h),
                Attention = new Attention(shape.Heads, shape.KvHeads, shape.HeadDim, 1.0 / Math.Sqrt(shape.HeadDim), null, null),
                Rope = rope,
                MlpNorm = N(p + "post_attention_layernorm.weight"),
                Mlp = new Mlp(L(p + "mlp.gate_proj.weight", ff, h), L(p + "mlp.up_proj.weight", ff, h), L(p + "mlp.down_proj.weight", h, ff), "silu"),
            };
        }
        var embed = new Linear(Embedding.Value, v, h);
        var finalNorm = N("model.norm.weight");
        Head = shape.Tied ? Embedding : P("lm_head.weight", v, h);
        Model = new Transformer
        {
            Config = config, Embedding = embed, Layers = layers,
            Head = new OutputHead { Norm = finalNorm, Head = shape.Tied ? embed : new Linear(Head.Value, v, h) },   // tied: the same array
            Source = "testbed", Fingerprint = "testbed-training",
        };
        Parameters = ps;
    }

    /// <summary>Fresh weights from <paramref name="seed"/>: N(0, 0.02) for matrices, the residual outputs (o_proj, down_proj)
    /// scaled by 1/√(2·layers) as in GPT-2, norm weights 1.</summary>
    public static TestbedModel Init(TestbedShape shape, int seed)
    {
        var rng = new Random(seed);
        float residual = 1f / MathF.Sqrt(2 * shape.Layers);
        return new TestbedModel(shape, (name, dims) =>
        {
            var a = new float[dims.Aggregate(1L, (x, y) => x * y)];
            if (dims.Length == 1) { Array.Fill(a, 1f); return a; }
            float std = 0.02f * (name.EndsWith("o_proj.weight") || name.EndsWith("down_proj.weight") ? residual : 1f);
            for (int i = 0; i < a.Length; i += 2)
            {   // Box–Muller: two normals from two uniforms
                double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble(), r = Math.Sqrt(-2 * Math.Log(u1));
                a[i] = (float)(std * r * Math.Cos(2 * Math.PI * u2));
                if (i + 1 < a.Length) a[i + 1] = (float)(std * r * Math.Sin(2 * Math.PI * u2));
            }
            return a;
        });
    }

    /// <summary>The weights of a safetensors file (a checkpoint or a built model) under this shape's names.</summary>
    public static TestbedModel Load(TestbedShape shape, IWeightSource w) => new(shape, (name, dims) =>
    {
        if (!w.Contains(name)) throw LayerSteerException.InFile(w.Path, $"tensor \"{name}\" is missing");
        var info = w.Info(name);
        if (!info.Shape.SequenceEqual(dims))
            throw LayerSteerException.InFile(w.Path, $"tensor \"{name}\" has shape {info.ShapeText}, expected [{string.Join(", ", dims)}]");
        return w.ReadF32(name);
    });

    /// <summary>A model on these very weight arrays with gradients of its own: a data-parallel worker whose gradient the
    /// trainer adds to this one's (an optimiser step on this model changes the replica too).</summary>
    public TestbedModel Replica()
    {
        var values = Parameters.ToDictionary(p => p.Name, p => p.Value);
        return new TestbedModel(Shape, (name, _) => values[name]);
    }

    public void ZeroGrad() { foreach (var p in Parameters) Array.Clear(p.Grad); }

    public long Count => Parameters.Sum(p => (long)p.Value.Length);

    /// <summary>The weights as tensors under their HF names, in F32 or rounded to BF16 (round to nearest even).</summary>
    public Dictionary<string, TensorData> Tensors(DType dtype) => Parameters.ToDictionary(p => p.Name, p =>
        dtype == DType.BF16 ? new TensorData(DType.BF16, _shapes[p.Name], ToBf16(p.Value)) : TensorData.F32(_shapes[p.Name], p.Value));

    static byte[] ToBf16(float[] v)
    {
        var b = new byte[v.Length * 2];
        for (int i = 0; i < v.Length; i++)
        {
            uint bits = BitConverter.SingleToUInt32Bits(v[i]);
            ushort h = (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
            b[2 * i] = (byte)h; b[2 * i + 1] = (byte)(h >> 8);
        }
        return b;
    }
}
