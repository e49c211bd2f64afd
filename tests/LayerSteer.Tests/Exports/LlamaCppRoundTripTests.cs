using System.Runtime.InteropServices;
using LayerSteer.Exports;
using LayerSteer.Hub;
using LayerSteer.Inference;
using LayerSteer.Intervention;
using LayerSteer.Tests.Support;
using LLama;
using LLama.Common;
using LLama.Native;
using Xunit.Abstractions;

namespace LayerSteer.Tests.Exports;

/// <summary>A block-output vector exported as a control-vector GGUF, parsed by llama.cpp's own GGUF reader and applied by
/// llama.cpp (LLamaSharp 0.30.0, CPU backend) to wordworld-v1.f32.gguf — the same weights converted for llama.cpp — gives
/// the logits and greedy continuation LayerSteer gives with that vector at --apply every (llama.cpp's semantics).</summary>
public class LlamaCppRoundTripTests(ITestOutputHelper log)
{
    const int Layer = 2, NewTokens = 12;

    [SharedFact]
    public unsafe void LlamaCppAppliesOurExportLikeLayerSteer()
    {
        if (!OperatingSystem.IsLinux()) return;   // the gguf_* symbols are looked up in libggml-base.so below
        using var tmp = new TempDir();
        var bundle = ModelBundle.Open(Shared.Model("wordworld-v1"));
        var model = bundle.Model;
        var prompt = bundle.RequireTokenizer().Encode("Q: hot\nA:");   // with its BOS
        var rng = new Random(7);
        var v = new SteeringVector(Enumerable.Range(0, model.Hidden).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray(),
            SteeringVector.BaseHeader(model, Layer, ApplyMode.Every, VectorSite.BlockOutput));
        string gguf = tmp.File("v.gguf");
        Assert.Null(GgufExport.Write(ResidualVector.Of(v, model, "v"), gguf));

        // LayerSteer: last-prompt-position logits and greedy ids, with and without the vector.
        var hook = new SiteAddition([v.ToAddition()], [prompt.Length]);
        var ours = model.Forward([prompt], [model.NewCache()], hook);
        var oursBase = model.Forward([prompt], [model.NewCache()]);
        var greedy = new SamplingOptions { Greedy = true, MaxNewTokens = NewTokens, StopAtEos = false };
        var oursIds = new Generator(model, null).Generate([prompt], greedy, new SiteAddition([v.ToAddition()], [prompt.Length]))[0].Ids;

        // llama.cpp: f32 KV cache, no flash attention, 2 threads.
        NativeLibraryConfig.All.WithLogCallback((level, msg) => { });
        var mp = new ModelParams(Shared.Path("models", "wordworld-v1", "wordworld-v1.f32.gguf"))
        {
            ContextSize = 64, BatchSize = 64, Threads = 2, BatchThreads = 2, GpuLayerCount = 0,
            TypeK = GGMLType.GGML_TYPE_F32, TypeV = GGMLType.GGML_TYPE_F32, FlashAttention = false,
        };
        using var weights = LLamaWeights.LoadFromFile(mp);
        using var context = weights.CreateContext(mp);
        var ctx = context.NativeHandle;
        int nEmbd = weights.EmbeddingSize, nLayer = weights.NativeHandle.LayerCount;
        Assert.Equal((model.Hidden, model.Config.NumLayers), (nEmbd, nLayer));

        var theirsBase = Prefill(ctx, prompt);
        // The control vector as llama.cpp's loader lays it out: direction.k at offset (k − 1)·n_embd, layers 1…L−1.
        var data = LlamaCppControlVector(gguf, nEmbd, nLayer);
        Assert.Equal(v.Delta, data.AsSpan((Layer - 1) * nEmbd, nEmbd).ToArray());
        fixed (float* p = data) Assert.Equal(0, NativeApi.llama_set_adapter_cvec(ctx, p, (nuint)data.Length, nEmbd, 1, nLayer - 1));
        var theirs = Prefill(ctx, prompt);
        var theirsIds = Greedy(ctx, prompt.Length, theirs);

        double MaxDiff(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
        log.WriteLine($"max |logit diff|: unsteered {MaxDiff(oursBase, theirsBase):G3}, steered {MaxDiff(ours, theirs):G3}, steering moved them by {MaxDiff(ours, oursBase):G3}; " +
                      $"greedy ids LayerSteer {string.Join(",", oursIds)} llama.cpp {string.Join(",", theirsIds)}; unsteered argmax {Array.IndexOf(oursBase, oursBase.Max())}");
        Assert.True(MaxDiff(oursBase, theirsBase) < 1e-3, $"unsteered logits differ by {MaxDiff(oursBase, theirsBase)}");
        Assert.True(MaxDiff(ours, oursBase) > 0.5, "the vector barely moves the logits: the comparison would prove nothing");
        Assert.True(MaxDiff(ours, theirs) < 1e-3, $"steered logits differ by {MaxDiff(ours, theirs)}");
        Assert.Equal(oursIds, theirsIds);
    }

    static float[] Prefill(SafeLLamaContextHandle ctx, int[] prompt)
    {
        ctx.MemoryClear(true);
        var b = new LLamaBatch();
        for (int i = 0; i < prompt.Length; i++) b.Add(prompt[i], i, LLamaSeqId.Zero, i == prompt.Length - 1);
        Assert.Equal(DecodeResult.Ok, ctx.Decode(b));
        return ctx.GetLogitsIth(prompt.Length - 1).ToArray();
    }

    /// <summary>Greedy decoding after <see cref="Prefill"/> (whose last logits are given): NewTokens ids.</summary>
    static int[] Greedy(SafeLLamaContextHandle ctx, int promptLength, float[] last)
    {
        var ids = new List<int>();
        var logits = last;
        for (int step = 0; step < NewTokens; step++)
        {
            int next = Array.IndexOf(logits, logits.Max());
            ids.Add(next);
            if (step == NewTokens - 1) break;
            var b = new LLamaBatch();
            b.Add(next, promptLength + step, LLamaSeqId.Zero, true);
            Assert.Equal(DecodeResult.Ok, ctx.Decode(b));
            logits = ctx.GetLogitsIth(0).ToArray();
        }
        return ids.ToArray();
    }

    [StructLayout(LayoutKind.Sequential)]
    struct GgufInitParams { public byte NoAlloc; public IntPtr Ctx; }

    /// <summary>Reads the GGUF with llama.cpp's own parser (gguf_* in libggml-base, already loaded by LLamaSharp) and builds
    /// the data llama_set_adapter_cvec takes, as common_control_vector_load does: F32 direction.k tensors, k ≥ 1.</summary>
    static unsafe float[] LlamaCppControlVector(string path, int nEmbd, int nLayer)
    {
        var lib = NativeLibrary.Load("libggml-base.so");
        var init = (delegate* unmanaged[Cdecl]<byte*, GgufInitParams, IntPtr>)NativeLibrary.GetExport(lib, "gguf_init_from_file");
        var nTensors = (delegate* unmanaged[Cdecl]<IntPtr, long>)NativeLibrary.GetExport(lib, "gguf_get_n_tensors");
        var name = (delegate* unmanaged[Cdecl]<IntPtr, long, IntPtr>)NativeLibrary.GetExport(lib, "gguf_get_tensor_name");
        var type = (delegate* unmanaged[Cdecl]<IntPtr, long, int>)NativeLibrary.GetExport(lib, "gguf_get_tensor_type");
        var size = (delegate* unmanaged[Cdecl]<IntPtr, long, nuint>)NativeLibrary.GetExport(lib, "gguf_get_tensor_size");
        var offset = (delegate* unmanaged[Cdecl]<IntPtr, long, nuint>)NativeLibrary.GetExport(lib, "gguf_get_tensor_offset");
        var dataOffset = (delegate* unmanaged[Cdecl]<IntPtr, nuint>)NativeLibrary.GetExport(lib, "gguf_get_data_offset");
        var findKey = (delegate* unmanaged[Cdecl]<IntPtr, byte*, long>)NativeLibrary.GetExport(lib, "gguf_find_key");
        var valStr = (delegate* unmanaged[Cdecl]<IntPtr, long, IntPtr>)NativeLibrary.GetExport(lib, "gguf_get_val_str");
        var free = (delegate* unmanaged[Cdecl]<IntPtr, void>)NativeLibrary.GetExport(lib, "gguf_free");

        var pathBytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        IntPtr g;
        fixed (byte* p = pathBytes) g = init(p, new GgufInitParams { NoAlloc = 1, Ctx = IntPtr.Zero });
        Assert.NotEqual(IntPtr.Zero, g);   // llama.cpp's parser accepts the file
        try
        {
            fixed (byte* k = "general.architecture\0"u8) Assert.Equal("controlvector", Marshal.PtrToStringUTF8(valStr(g, findKey(g, k))));
            var bytes = File.ReadAllBytes(path);
            var data = new float[nEmbd * (nLayer - 1)];
            for (long i = 0; i < nTensors(g); i++)
            {
                string n = Marshal.PtrToStringUTF8(name(g, i))!;
                Assert.StartsWith("direction.", n);
                int layer = int.Parse(n["direction.".Length..]);
                Assert.InRange(layer, 1, nLayer - 1);
                Assert.Equal(0, type(g, i));   // GGML_TYPE_F32
                Assert.Equal((nuint)(4 * nEmbd), size(g, i));
                int at = (int)(dataOffset(g) + offset(g, i));
                MemoryMarshal.Cast<byte, float>(bytes.AsSpan(at, 4 * nEmbd)).CopyTo(data.AsSpan((layer - 1) * nEmbd));
            }
            return data;
        }
        finally { free(g); }
    }
}
