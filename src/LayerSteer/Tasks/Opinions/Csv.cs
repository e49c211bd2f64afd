using System.Text;

namespace LayerSteer.Tasks.Opinions;

/// <summary>An RFC 4180 CSV reader: comma-separated, "..." quoting with "" for a quote, LF or CRLF rows, newlines allowed inside quotes.</summary>
public static class Csv
{
    /// <summary>One record and the 1-based line it starts on.</summary>
    public readonly record struct Row(int Line, string[] Fields);

    /// <summary>The records of <paramref name="text"/>; blank lines are skipped. A broken quote throws naming <paramref name="path"/> and the line.</summary>
    public static IEnumerable<Row> Parse(string text, string path)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, start = 1, i = 0;
        bool any = false; // the current record has content (so "\n\n" is not an empty record)
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '"' && field.Length == 0)
            {
                int open = line;
                i++;
                while (true)
                {
                    if (i >= text.Length) throw LayerSteerException.InFile(path, $"line {open}: quoted field never closed");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    if (text[i] == '\n') line++;
                    field.Append(text[i++]);
                }
                if (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                    throw LayerSteerException.InFile(path, $"line {line}: text after a closing quote (a quote inside a field must be doubled: \"\")");
                any = true;
                continue;
            }
            if (c == ',') { fields.Add(field.ToString()); field.Clear(); any = true; i++; continue; }
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') { i++; continue; }
            if (c == '\n')
            {
                if (any || field.Length > 0) yield return End(fields, field, start);
                any = false;
                line++;
                start = line;
                i++;
                continue;
            }
            field.Append(c);
            i++;
        }
        if (any || field.Length > 0) yield return End(fields, field, start);
    }

    static Row End(List<string> fields, StringBuilder field, int line)
    {
        fields.Add(field.ToString());
        field.Clear();
        var row = new Row(line, fields.ToArray());
        fields.Clear();
        return row;
    }

    /// <summary>The column index of each of <paramref name="names"/> in <paramref name="header"/>; a missing one throws listing the columns found.</summary>
    public static int[] Columns(string[] header, string path, params string[] names)
    {
        return names.Select(n =>
        {
            int k = Array.IndexOf(header, n);
            return k >= 0 ? k : throw LayerSteerException.InFile(path,
                $"missing column \"{n}\"; needs {string.Join(", ", names)}, found {string.Join(", ", header.Select(h => $"\"{h}\""))}");
        }).ToArray();
    }
}
