using System.CommandLine;
using LayerSteer.Experiments;
using LayerSteer.Tasks;

namespace LayerSteer.Cli.Commands;

/// <summary>Which table `compare` prints: Table 1 (--methods), Table 4 (--ablation) or Table 2 (--composition): its tasks,
/// its fixed rows (null: --methods), the summary line's label and row keys, and whether to show the test size.</summary>
sealed record CompareMode(string Label, TaskPairs[] Tasks, Func<VectorSettings, IReadOnlyList<Method>?> Methods, string[]? SummaryKeys, bool TestN)
{
    /// <summary>True when the table's rows are fixed (Tables 2 and 4).</summary>
    public bool Fixed => SummaryKeys != null;

    public static CompareMode Of(ParseResult pr, Option<string?> ablation, Option<bool> composition, Option<string> methods, Option<string> tasks, Func<string, TaskPairs> resolve)
    {
        bool composed = pr.GetValue(composition);
        string? ablate = pr.GetValue(ablation);
        if (composed && ablate != null) throw new LayerSteerException("--ablation and --composition print different tables: give one of them");
        if ((composed || ablate != null) && Given(pr, methods))
            throw new LayerSteerException($"--methods does not apply to {(composed ? "--composition" : "--ablation")}: its rows are fixed");
        string[] names = composed && !Given(pr, tasks) ? CompositionTable.Tasks
            : pr.GetValue(tasks)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var list = names.Select(resolve).ToArray();
        if (composed && list.FirstOrDefault(t => t.Parts is null) is { } plain)
            throw new LayerSteerException($"--composition needs composed tasks named A>B (e.g. antonym>english-french); {plain.Name} is not one");
        return ablate != null ? new($"ablation={ablate} ", list, RegularizationAblation.Methods, RegularizationAblation.SummaryKeys, false)
            : composed ? new("composition ", list, CompositionTable.Methods, CompositionTable.SummaryKeys, true)
            : new("", list, _ => null, null, false);
    }

    static bool Given(ParseResult pr, Option o) => pr.GetResult(o) is { Implicit: false };
}
