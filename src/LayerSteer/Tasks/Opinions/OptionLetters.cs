namespace LayerSteer.Tasks.Opinions;

/// <summary>The option letters A, B, … and their answer tokens " A", " B", … (leading space: the model writes them after "Answer:").</summary>
public static class OptionLetters
{
    public static char Letter(int option) => (char)('A' + option);

    /// <summary>The text the model should produce after "Answer:" for <paramref name="option"/>, e.g. " B".</summary>
    public static string Target(int option) => " " + Letter(option);

    /// <summary>The token id of " A", " B", … for the first <paramref name="count"/> options.</summary>
    /// <param name="encode">The tokenizer's encode without special tokens (no BOS).</param>
    public static int[] TokenIds(Func<string, int[]> encode, int count)
    {
        var ids = new int[count];
        for (int k = 0; k < count; k++)
        {
            int[] t = encode(Target(k));
            if (t.Length != 1)
                throw new LayerSteerException($"option letter \"{Target(k)}\" encodes to {t.Length} tokens [{string.Join(", ", t)}], not one; " +
                    "the opinion metric needs each answer letter to be a single token (encode without special tokens)");
            ids[k] = t[0];
        }
        return ids;
    }
}
