using System.Globalization;

namespace LayerSteer.Tokenizers;

/// <summary>Token ids written as a comma-separated list ("1,2,3"), as the CLI takes them.</summary>
public static class TokenIdList
{
    /// <summary>The ids of <paramref name="list"/>, each checked to be in 0..<paramref name="vocabSize"/>−1; errors name <paramref name="option"/>.</summary>
    public static int[] Parse(string list, int vocabSize, string option)
    {
        int[] ids = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
            int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 0 && v < vocabSize ? v
                : throw new LayerSteerException($"{option}: \"{s}\" is not a token id in 0..{vocabSize - 1}")).ToArray();
        return ids.Length > 0 ? ids : throw new LayerSteerException($"{option}: no token ids given");
    }
}
