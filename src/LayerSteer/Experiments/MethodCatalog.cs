namespace LayerSteer.Experiments;

/// <summary>Settings of every method the catalog can build (each baseline adds its own).</summary>
public sealed record MethodSettings(VectorSettings Vector)
{
    public AdapterSettings Adapters { get; init; } = new();
    public IcvSettings Icv { get; init; } = new();
    public required FunctionVectorSettings Fv { get; init; }
}

/// <summary>Method kinds → methods.</summary>
public static class MethodCatalog
{
    /// <summary>Table 1's default rows.</summary>
    public static readonly MethodKind[] Default = [MethodKind.ZeroShot, MethodKind.FewShot, MethodKind.Vector];

    /// <summary>A comma-separated list of method names (e.g. "zero-shot,vector") → kinds, unknown names failing.</summary>
    public static MethodKind[] ParseList(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(MethodKinds.Parse).ToArray();

    /// <summary>The grid rows of <paramref name="kinds"/>, in order (export-semantics gives several).</summary>
    public static List<Method> Create(IEnumerable<MethodKind> kinds, MethodSettings s)
    {
        var fv = new FunctionVectorMemo(s.Fv);   // fv-zero and fv-few share one extraction per split
        return kinds.SelectMany(k => k switch
        {
            MethodKind.ZeroShot => [new Method.Prompting(fewShot: false)],
            MethodKind.FewShot => [new Method.Prompting(fewShot: true)],
            MethodKind.Vector => [new Method.Vector(s.Vector)],
            MethodKind.VectorResidual => [new Method.Vector(s.Vector with { Site = Intervention.VectorSite.BlockOutput }, MethodKinds.Name(k))],
            MethodKind.ExportSemantics => ExportSemantics.Methods(s.Vector),
            MethodKind.Icv => [new IcvMethod(s.Icv)],
            MethodKind.FvZero => [new FunctionVectorMethod(fv, fewShot: false)],
            MethodKind.FvFew => [new FunctionVectorMethod(fv, fewShot: true)],
            _ => new Method[] { new AdapterMethod(MethodKinds.Adapter(k)!.Value, s.Adapters, s.Vector) },
        }).ToList();
    }
}
