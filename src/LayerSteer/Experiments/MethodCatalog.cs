using LayerSteer.Tasks;

namespace LayerSteer.Experiments;

/// <summary>Method names on the command line → methods.</summary>
public static class MethodCatalog
{
    public static readonly string[] Names = ["zero-shot", "few-shot", "vector"];

    public static List<Method> Parse(string list, VectorSettings vector) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n switch
        {
            "zero-shot" => (Method)new Method.ZeroShot(),
            "few-shot" => new Method.FewShot(),
            "vector" => new Method.Vector(vector),
            _ => throw new LayerSteerException($"unknown method \"{n}\" (available: {string.Join(", ", Names)})"),
        }).ToList();
}
