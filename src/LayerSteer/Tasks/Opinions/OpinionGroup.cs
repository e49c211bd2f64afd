namespace LayerSteer.Tasks.Opinions;

/// <summary>A population group: an OpinionQA attribute file (e.g. "INCOME" for INCOME_data.json) and one of its values.</summary>
/// <remarks>Values of two-level attributes (POLPARTY_RACE, POLPARTY_SEX, RACE_SEX) are written "outer/inner", e.g. "Democrat/Asian".</remarks>
public sealed record OpinionGroup(string Attribute, string Value)
{
    public override string ToString() => $"{Attribute}={Value}";

    /// <summary>Parses "ATTR=value;ATTR=value;…" (";" separates groups because values contain commas, e.g. "$100,000 or more").</summary>
    public static List<OpinionGroup> ParseList(string spec)
    {
        var groups = new List<OpinionGroup>();
        foreach (string part in spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0 || eq == part.Length - 1)
                throw new LayerSteerException($"group \"{part}\": expected ATTRIBUTE=value, e.g. \"INCOME=$100,000 or more;POLIDEOLOGY=Moderate\"");
            groups.Add(new OpinionGroup(part[..eq].Trim(), part[(eq + 1)..].Trim()));
        }
        if (groups.Count == 0) throw new LayerSteerException("no group given: expected ATTRIBUTE=value, e.g. \"CREGION=Northeast\"");
        return groups;
    }
}
