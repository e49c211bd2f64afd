using System.Globalization;
using System.Text;

namespace LayerSteer.Tasks.Opinions;

/// <summary>Parses a Python list-of-strings literal such as <c>['Yes, I own a gun', "No, I don't own any guns"]</c> (OpinionQA's info.csv "references").</summary>
public static class PythonStringList
{
    /// <summary>The strings of <paramref name="s"/>, or null when it is not a list of quoted strings.</summary>
    public static List<string>? Parse(string s)
    {
        int i = 0;
        Space(s, ref i);
        if (i >= s.Length || s[i] != '[') return null;
        i++;
        var items = new List<string>();
        while (true)
        {
            Space(s, ref i);
            if (i >= s.Length) return null;
            if (s[i] == ']') break;
            string? item = Quoted(s, ref i);
            if (item is null) return null;
            items.Add(item);
            Space(s, ref i);
            if (i < s.Length && s[i] == ',') i++;
            else if (i >= s.Length || s[i] != ']') return null;
        }
        i++;
        Space(s, ref i);
        return i == s.Length ? items : null;
    }

    static void Space(string s, ref int i) { while (i < s.Length && char.IsWhiteSpace(s[i])) i++; }

    static string? Quoted(string s, ref int i)
    {
        char q = s[i];
        if (q is not ('\'' or '"')) return null;
        var sb = new StringBuilder();
        for (i++; i < s.Length; i++)
        {
            char c = s[i];
            if (c == q) { i++; return sb.ToString(); }
            if (c != '\\') { sb.Append(c); continue; }
            if (++i >= s.Length) return null;
            switch (s[i])
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'x' or 'u':
                    int len = s[i] == 'x' ? 2 : 4;
                    if (i + len >= s.Length || !int.TryParse(s.AsSpan(i + 1, len), NumberStyles.HexNumber, null, out int code)) return null;
                    sb.Append((char)code);
                    i += len;
                    break;
                default: sb.Append(s[i]); break; // \\ \' \" and anything else: the character itself
            }
        }
        return null;
    }
}
