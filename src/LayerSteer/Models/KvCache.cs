namespace LayerSteer.Models;

/// <summary>Keys and values of one sequence at every layer (after RoPE), growing as tokens are added.</summary>
public sealed class KvCache
{
    public float[][] K { get; private set; }
    public float[][] V { get; private set; }
    /// <summary>Tokens cached per layer; a layer's count runs ahead of the others while a forward pass is inside it.</summary>
    public int[] LayerLength { get; }
    public int KvDim { get; }

    public KvCache(int layers, int kvDim, int capacity = 64)
    {
        KvDim = kvDim;
        K = new float[layers][];
        V = new float[layers][];
        LayerLength = new int[layers];
        for (int l = 0; l < layers; l++) { K[l] = new float[capacity * kvDim]; V[l] = new float[capacity * kvDim]; }
    }

    /// <summary>Tokens cached (at the last layer, i.e. fully processed).</summary>
    public int Length => LayerLength[^1];

    /// <summary>Appends n rows of keys and values at one layer; returns the row index of the first.</summary>
    public int Append(int layer, ReadOnlySpan<float> k, ReadOnlySpan<float> v, int n)
    {
        int start = LayerLength[layer];
        int need = (start + n) * KvDim;
        if (need > K[layer].Length)
        {
            int cap = Math.Max(need, K[layer].Length * 2);
            var nk = new float[cap]; K[layer].AsSpan(0, start * KvDim).CopyTo(nk); K[layer] = nk;
            var nv = new float[cap]; V[layer].AsSpan(0, start * KvDim).CopyTo(nv); V[layer] = nv;
        }
        k[..(n * KvDim)].CopyTo(K[layer].AsSpan(start * KvDim));
        v[..(n * KvDim)].CopyTo(V[layer].AsSpan(start * KvDim));
        LayerLength[layer] = start + n;
        return start;
    }

    /// <summary>Forgets tokens from position <paramref name="length"/> on at every layer (from <paramref name="fromLayer"/> up).</summary>
    public void Truncate(int length, int fromLayer = 0)
    {
        for (int l = fromLayer; l < LayerLength.Length; l++) LayerLength[l] = Math.Min(LayerLength[l], length);
    }
}
