using LayerSteer.Adapters;

namespace LayerSteer.Experiments;

/// <summary>The methods of Table 1: prompting, function vectors, ICV, the adapters, the paper's task vector, the vector
/// fitted at the block output (the residual stream, where other engines add vectors), and the rows of
/// <see cref="Experiments.ExportSemantics"/>.</summary>
public enum MethodKind { ZeroShot, FewShot, FvZero, FvFew, Icv, Lora, Ia3, SoftPrompt, Vector, VectorResidual, ExportSemantics }

/// <summary>What each <see cref="MethodKind"/> is called on the command line and in tables, and what it needs.</summary>
public static class MethodKinds
{
    public static readonly MethodKind[] All = Enum.GetValues<MethodKind>();

    public static string Name(MethodKind k) => k switch
    {
        MethodKind.ZeroShot => "zero-shot", MethodKind.FewShot => "few-shot", MethodKind.FvZero => "fv-zero", MethodKind.FvFew => "fv-few",
        MethodKind.Icv => "icv", MethodKind.Vector => "vector", MethodKind.VectorResidual => "vector-residual",
        MethodKind.ExportSemantics => "export-semantics", _ => AdapterKinds.Name(Adapter(k)!.Value),
    };

    public static IEnumerable<string> Names => All.Select(Name);

    public static MethodKind Parse(string name) => All.FirstOrDefault(k => Name(k) == name, (MethodKind)(-1)) is var k && Enum.IsDefined(k) ? k
        : throw new LayerSteerException($"unknown method \"{name}\" (available: {string.Join(", ", Names)})");

    /// <summary>The adapter a method trains, or null.</summary>
    public static AdapterKind? Adapter(MethodKind k) => k switch
    {
        MethodKind.Lora => AdapterKind.Lora, MethodKind.Ia3 => AdapterKind.Ia3, MethodKind.SoftPrompt => AdapterKind.SoftPrompt, _ => null,
    };

    /// <summary>True when the N training pairs are shown as demonstrations in the prompt (few-shot, fv-few).</summary>
    public static bool UsesDemonstrations(MethodKind k) => k is MethodKind.FewShot or MethodKind.FvFew;
}
