namespace LayerSteer.Tasks;

/// <summary>The exact-match rule: the first k words of the generated text (k = words in the target), stripped of
/// surrounding punctuation, equal the target ignoring case. Small models run on after the answer ("chien is …").</summary>
public static class Scoring
{
    static readonly char[] Space = [' ', '\t', '\n', '\r'];

    public static bool ExactMatch(string generated, string target)
    {
        var want = Words(target);
        var got = AnswerWords(generated, want.Length);
        return got.Length == want.Length && got.Zip(want).All(p => string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The model's answer as a judge sees it: the same first k words of the first line.</summary>
    public static string Answer(string generated, string target) => string.Join(' ', AnswerWords(generated, Words(target).Length));

    static string[] AnswerWords(string generated, int k) => Words(generated.Split('\n')[0]).Take(k).ToArray();

    static string[] Words(string s) => s.Split(Space, StringSplitOptions.RemoveEmptyEntries)
        .Select(w => w.Trim(PunctuationTrim)).Where(w => w.Length > 0).ToArray();

    static readonly char[] PunctuationTrim = ".,;:!?\"'()[]{}«»“”‘’".ToCharArray();

    /// <summary>Mean and (sample) standard deviation.</summary>
    public static (double Mean, double Std) MeanStd(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return (double.NaN, double.NaN);
        double m = xs.Average();
        double v = xs.Count > 1 ? xs.Sum(x => (x - m) * (x - m)) / (xs.Count - 1) : 0;
        return (m, Math.Sqrt(v));
    }
}
