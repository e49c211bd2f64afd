using System.Globalization;
using System.Text;

namespace LayerSteer.ChatTemplates;

/// <summary>Python's json.dumps, which transformers' tojson filter calls: ensure_ascii, indent, separators and sort_keys as there.</summary>
internal sealed record PyJson(bool EnsureAscii, string? Indent, string ItemSeparator, string KeySeparator, bool SortKeys)
{
    public string Dumps(object? v, long maxLength)
    {
        var sb = new StringBuilder();
        Write(sb, v, 0, maxLength);
        return sb.ToString();
    }

    void Write(StringBuilder sb, object? v, int depth, long maxLength)
    {
        if (depth > PyText.MaxNesting) throw new TemplateError($"values nested more than {PyText.MaxNesting} deep cannot be converted to JSON (limit)");
        if (sb.Length > maxLength) throw new TemplateError($"tojson output is longer than {maxLength} characters (limit)");
        switch (v)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: sb.Append(Number(d)); break;
            case string s: WriteString(sb, s); break;
            case PyList list:
                WriteContainer(sb, '[', ']', list.Count, depth, i => Write(sb, list[i], depth + 1, maxLength));
                break;
            case PyDict dict:
                var items = dict.Items.Select(p => (Key: KeyString(p.Key), p.Value)).ToList();
                if (SortKeys) items = [.. items.OrderBy(p => p.Key, StringComparer.Ordinal)];
                WriteContainer(sb, '{', '}', items.Count, depth, i =>
                {
                    WriteString(sb, items[i].Key);
                    sb.Append(KeySeparator);
                    Write(sb, items[i].Value, depth + 1, maxLength);
                });
                break;
            default: throw new TemplateError($"Object of type {PyText.TypeName(v)} is not JSON serializable");
        }
    }

    void WriteContainer(StringBuilder sb, char open, char close, int count, int depth, Action<int> item)
    {
        sb.Append(open);
        if (count == 0) { sb.Append(close); return; }
        for (int i = 0; i < count; i++)
        {
            if (i > 0) sb.Append(ItemSeparator);
            NewLine(sb, depth + 1);
            item(i);
        }
        NewLine(sb, depth);
        sb.Append(close);
    }

    void NewLine(StringBuilder sb, int depth)
    {
        if (Indent is null) return;
        sb.Append('\n');
        for (int i = 0; i < depth; i++) sb.Append(Indent);
    }

    static string Number(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : PyText.FloatRepr(d);

    // json.dumps turns str, int, float, bool and None keys into strings and refuses the rest.
    static string KeyString(object? k) => k switch
    {
        string s => s,
        null => "null",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => Number(d),
        _ => throw new TemplateError($"keys must be str, int, float, bool or None, not {PyText.TypeName(k)}"),
    };

    void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || (EnsureAscii && c > 0x7e)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
