namespace LayerSteer.Tasks;

/// <summary>How a pair becomes text: "paper" (`{x}:` → `{y}`, demonstrations one per line) or
/// "fv" (function_vectors: `Q: {x}\nA:` → ` {y}`, demonstrations `Q: x\nA: y\n\n`).</summary>
public sealed record PromptTemplate(string Name, string Query, string Answer, string DemoSeparator)
{
    public static readonly PromptTemplate Paper = new("paper", "{x}:", "{y}", "\n");
    public static readonly PromptTemplate Fv = new("fv", "Q: {x}\nA:", " {y}", "\n\n");

    public static PromptTemplate Parse(string name) => name switch
    {
        "paper" => Paper,
        "fv" => Fv,
        _ => throw new LayerSteerException($"unknown template \"{name}\" (known: paper, fv)"),
    };

    /// <summary>The prompt for <paramref name="x"/>, preceded by demonstrations (k-shot) when given.</summary>
    public string Prompt(string x, IReadOnlyList<Pair>? demos = null)
    {
        string q = Query.Replace("{x}", x);
        if (demos == null || demos.Count == 0) return q;
        return string.Concat(demos.Select(d => Query.Replace("{x}", d.Input) + Target(d.Output) + DemoSeparator)) + q;
    }

    /// <summary>The text the model should continue with.</summary>
    public string Target(string y) => Answer.Replace("{y}", y);
}
