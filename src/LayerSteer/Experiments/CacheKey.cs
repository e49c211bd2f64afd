using System.Globalization;
using System.Text;

namespace LayerSteer.Experiments;

/// <summary>Cache keys built explicitly: "name=value" pairs joined by ';', numbers in the invariant culture with
/// round-trip precision, so a key never depends on the machine's locale or on a record's ToString.</summary>
public static class CacheKey
{
    /// <summary>Alternating names and values.</summary>
    public static string Of(params object?[] namesAndValues)
    {
        if (namesAndValues.Length % 2 != 0) throw new ArgumentException("names and values must alternate", nameof(namesAndValues));
        var sb = new StringBuilder();
        for (int i = 0; i < namesAndValues.Length; i += 2)
        {
            if (i > 0) sb.Append(';');
            sb.Append(namesAndValues[i]).Append('=').Append(Format(namesAndValues[i + 1]));
        }
        return sb.ToString();
    }

    static string Format(object? v) => v switch
    {
        null => "null",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
