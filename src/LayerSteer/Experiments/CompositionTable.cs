using LayerSteer.Intervention;
using LayerSteer.Tasks;

namespace LayerSteer.Experiments;

/// <summary>Table 2: on composed tasks A>B, "Add" (Δ_A + Δ_B) against "Re-fit" (one Δ fitted on N composed pairs), both
/// scored on the same held-out composed pairs of each seed. `compare --composition` fits Δ_A and Δ_B itself
/// (<see cref="AddVectors"/>); `compose` adds the user's vector files. Both run through the same grid.</summary>
public static class CompositionTable
{
    public static readonly string[] Tasks = ["antonym>english-french", "antonym>english-german", "synonym>english-french", "synonym>english-german"];

    /// <summary>Keys of the rows on the summary line, in <see cref="Methods"/> order.</summary>
    public static readonly string[] SummaryKeys = ["add", "refit"];

    public const string RefitName = "Re-fit (Δ on composed pairs)";

    public static Method[] Methods(VectorSettings s) => [new AddVectors(s), new Method.Vector(s, RefitName)];

    /// <summary>The rows of `compose`: the user's vectors summed ("Add"), and with <paramref name="refit"/> a Δ fitted on
    /// the composed pairs. <paramref name="contentKey"/> identifies the vector files (their fingerprints and contents).</summary>
    public static Method[] WithGivenVectors(IReadOnlyList<Addition> additions, string contentKey, VectorSettings? refit) =>
        [new Method.GivenVectors("Add (Σ vectors)", additions, contentKey), .. refit is null ? Array.Empty<Method>() : [new Method.Vector(refit, RefitName)]];

    /// <summary>The composed task without the pairs whose input or intermediate word trained one of the given vectors.
    /// Which file holds Δ_A is not known, so every vector's inputs count against both steps.</summary>
    public static TaskPairs HeldOutFrom(TaskPairs composed, ISet<string> vectorTrainInputs) =>
        Composition.HeldOut(composed, vectorTrainInputs, vectorTrainInputs);
}
