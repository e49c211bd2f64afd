// Dev-time: GFLOP/s of SkinnyGemm16's forward (y = x·Wᵀ) and backward (dx += dy·W) at one shape, random BF16/F16 W.
// The two are called in turn, ITERS times after two warm-up rounds, and the median call is reported: alternating in one
// process keeps the host's drift (±25% within minutes on a shared VM) out of the comparison of the two directions.
using System.Diagnostics;
using LayerSteer.Tensors;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project tools/kernel_probe -- ROWS IN OUT [ITERS=30] [bf16|f16]");
    return 2;
}
int rows = int.Parse(args[0]), inDim = int.Parse(args[1]), outDim = int.Parse(args[2]);
int iters = args.Length > 3 ? int.Parse(args[3]) : 30;
var dtype = args.Length > 4 && args[4] == "f16" ? DType.F16 : DType.BF16;

var rng = new Random(1);
var w = new ushort[(long)outDim * inDim];
for (long i = 0; i < w.Length; i++)
{
    float v = (float)(rng.NextDouble() - 0.5) * 0.04f;
    w[i] = dtype == DType.BF16 ? (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16) : BitConverter.HalfToUInt16Bits((Half)v);
}
float[] Rand(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() - 0.5); return a; }
var x = Rand(rows * inDim); var dy = Rand(rows * outDim);
var y = new float[rows * outDim]; var dx = new float[rows * inDim];

var forward = new List<double>(); var backward = new List<double>();
for (int it = -2; it < iters; it++)
{
    var sw = Stopwatch.StartNew();
    SkinnyGemm16.Forward(dtype, w, x, y, rows, inDim, outDim);
    double f = sw.Elapsed.TotalSeconds;
    sw.Restart();
    SkinnyGemm16.Backward(dtype, w, dy, dx, rows, inDim, outDim);
    double b = sw.Elapsed.TotalSeconds;
    if (it >= 0) { forward.Add(f); backward.Add(b); }
}
double flops = 2.0 * rows * inDim * outDim;
double Median(List<double> t) { t.Sort(); return t[t.Count / 2]; }
Console.WriteLine($"kernel_probe {DTypes.Name(dtype)} rows={rows} in={inDim} out={outDim}: forward {flops / Median(forward) / 1e9:F1} GFLOP/s, " +
    $"backward {flops / Median(backward) / 1e9:F1} GFLOP/s (median of {iters} alternating calls, {Environment.ProcessorCount} threads)");
return 0;
