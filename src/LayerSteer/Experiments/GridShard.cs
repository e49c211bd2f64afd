using System.Globalization;

namespace LayerSteer.Experiments;

/// <summary>Shard K of N (1-based, like jest's and playwright's --shard K/N): the grid's cells, numbered in run order
/// (task, seed, method), whose number ≡ K − 1 (mod N). N jobs of a scheduler (a Slurm array, Kubernetes Jobs, GNU
/// parallel) share one cache folder, and `--from-cache` assembles the tables.</summary>
public readonly record struct GridShard(int K, int N)
{
    public static readonly GridShard All = new(1, 1);

    public bool Owns(int cellIndex) => cellIndex % N == K - 1;

    /// <summary>"K/N" with 1 ≤ K ≤ N.</summary>
    public static GridShard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && k >= 1 && k <= n)
            return new GridShard(k, n);
        throw new LayerSteerException($"--shard must be K/N with 1 ≤ K ≤ N (e.g. 2/4), got \"{text}\"");
    }

    public override string ToString() => $"{K}/{N}";
}
