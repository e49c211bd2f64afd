using System.Runtime.InteropServices;
using LayerSteer.Tensors;

namespace LayerSteer.Formats;

/// <summary>fp32 tensors held in memory under Hugging Face names (e.g. a converted legacy checkpoint).</summary>
public sealed class InMemoryWeights(string path) : IWeightSource
{
    readonly Dictionary<string, (TensorInfo Info, float[] Data)> _tensors = [];
    readonly List<string> _names = [];

    public string Path { get; } = path;
    public IReadOnlyCollection<string> Names => _names;

    public void Add(string name, long[] shape, float[] data)
    {
        var info = new TensorInfo(name, DType.F32, shape);
        if (info.Count != data.Length) throw new ArgumentException($"{name}: shape {info.ShapeText} does not hold {data.Length} values");
        _tensors.Add(name, (info, data));
        _names.Add(name);
    }

    public bool Contains(string name) => _tensors.ContainsKey(name);
    public TensorInfo Info(string name) => Get(name).Info;
    public float[] ReadF32(string name) => (float[])Get(name).Data.Clone();
    public ReadOnlySpan<byte> Raw(string name) => MemoryMarshal.AsBytes(Get(name).Data.AsSpan());

    (TensorInfo Info, float[] Data) Get(string name) =>
        _tensors.TryGetValue(name, out var t) ? t : throw WeightSources.NoTensor(Path, name);

    public void Dispose() { }
}
