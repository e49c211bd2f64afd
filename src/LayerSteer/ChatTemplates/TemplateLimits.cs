namespace LayerSteer.ChatTemplates;

/// <summary>Bounds on one render so a hostile template stops with an error instead of hanging or exhausting memory.</summary>
/// <param name="MaxOutputChars">Longest output, and longest string or list any expression may build.</param>
/// <param name="MaxSteps">Loop iterations plus calls (macros, methods, globals) in one render.</param>
/// <param name="MaxWork">Characters and items the render may produce or scan in all (operators, filters, methods, output).</param>
/// <param name="MaxCallDepth">Deepest nesting of macro calls (recursion).</param>
public sealed record TemplateLimits(long MaxOutputChars = 8 << 20, long MaxSteps = 1_000_000, long MaxWork = 1L << 27, int MaxCallDepth = 100)
{
    public static readonly TemplateLimits Default = new();
}
