using System.Globalization;
using System.Text;

namespace LayerSteer.ChatTemplates;

/// <summary>Python's text conversions of template values: str(), repr(), float repr, whitespace and strip.</summary>
internal static class PyText
{
    /// <summary>Containers nested deeper than this are refused by str(), repr(), tojson and ==, like Python's recursion limit.</summary>
    public const int MaxNesting = 200;

    /// <summary>str.isspace(): .NET's white space plus the information separators U+001C–U+001F.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static string Strip(string s, string? chars = null) => RStrip(LStrip(s, chars), chars);

    public static string LStrip(string s, string? chars = null)
    {
        int i = 0;
        while (i < s.Length && Stripped(s[i], chars)) i++;
        return s[i..];
    }

    public static string RStrip(string s, string? chars = null)
    {
        int i = s.Length;
        while (i > 0 && Stripped(s[i - 1], chars)) i--;
        return s[..i];
    }

    static bool Stripped(char c, string? chars) => chars is null ? IsSpace(c) : chars.Contains(c);

    public static string TypeName(object? v) => v switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        PyList { IsTuple: true } => "tuple",
        PyList => "list",
        PyDict => "dict",
        Undefined => "Undefined",
        Namespace => "Namespace",
        LoopContext => "LoopContext",
        PyIterator => "generator",
        Macro => "Macro",
        PyCallable => "function",
        _ => v.GetType().Name,
    };

    /// <summary>str(v): what {{ v }} and ~ print.</summary>
    public static string Str(object? v, long maxLength = long.MaxValue) => v switch
    {
        string s => s,
        Undefined => "",
        _ => Repr(v, maxLength),
    };

    /// <summary>repr(v), as Python prints values inside containers.</summary>
    public static string Repr(object? v, long maxLength = long.MaxValue)
    {
        var sb = new StringBuilder();
        AppendRepr(sb, v, 0, maxLength);
        return sb.ToString();
    }

    static void AppendRepr(StringBuilder sb, object? v, int depth, long maxLength)
    {
        if (depth > MaxNesting) throw new TemplateError($"values nested more than {MaxNesting} deep cannot be printed (limit)");
        if (sb.Length > maxLength) throw new TemplateError($"a printed value is longer than {maxLength} characters (limit)");
        switch (v)
        {
            case null: sb.Append("None"); break;
            case bool b: sb.Append(b ? "True" : "False"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: sb.Append(FloatRepr(d)); break;
            case string s: AppendStringRepr(sb, s); break;
            case Undefined: sb.Append("Undefined"); break;
            case PyList list:
                sb.Append(list.IsTuple ? '(' : '[');
                for (int i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    AppendRepr(sb, list[i], depth + 1, maxLength);
                }
                if (list.IsTuple && list.Count == 1) sb.Append(',');
                sb.Append(list.IsTuple ? ')' : ']');
                break;
            case PyDict dict: AppendDict(sb, dict.Items, depth, maxLength); break;
            case Namespace ns:
                sb.Append("<Namespace ");
                AppendDict(sb, ns.Attributes.Select(a => ((object?)a.Key, a.Value)), depth, maxLength);
                sb.Append('>');
                break;
            case LoopContext loop: sb.Append($"<LoopContext {loop.Index0 + 1}/{loop.Length}>"); break;
            case PyIterator: sb.Append("<generator object>"); break;
            case Macro m: sb.Append($"<Macro '{m.Name}'>"); break;
            case PyCallable f: sb.Append($"<built-in function {f.Name}>"); break;
            default: sb.Append(v); break;
        }
    }

    static void AppendDict(StringBuilder sb, IEnumerable<(object? Key, object? Value)> items, int depth, long maxLength)
    {
        sb.Append('{');
        bool first = true;
        foreach (var (key, value) in items)
        {
            if (!first) sb.Append(", ");
            first = false;
            AppendRepr(sb, key, depth + 1, maxLength);
            sb.Append(": ");
            AppendRepr(sb, value, depth + 1, maxLength);
        }
        sb.Append('}');
    }

    // Python quotes with ' unless the text holds ' and no ", and escapes what str.isprintable() rejects.
    static void AppendStringRepr(StringBuilder sb, string s)
    {
        char quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        sb.Append(quote);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == quote || c == '\\') { sb.Append('\\').Append(c); continue; }
            if (c == '\n') { sb.Append("\\n"); continue; }
            if (c == '\r') { sb.Append("\\r"); continue; }
            if (c == '\t') { sb.Append("\\t"); continue; }
            int cp = c;
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) cp = char.ConvertToUtf32(c, s[i + 1]);
            if (cp > 0xFFFF) i++;
            if (Printable(cp)) { sb.Append(s, i - (cp > 0xFFFF ? 1 : 0), cp > 0xFFFF ? 2 : 1); continue; }
            sb.Append(cp switch
            {
                < 0x100 => $"\\x{cp:x2}",
                < 0x10000 => $"\\u{cp:x4}",
                _ => $"\\U{cp:x8}",
            });
        }
        sb.Append(quote);
    }

    static bool Printable(int cp)
    {
        if (cp == ' ') return true;
        if (cp is >= 0xD800 and <= 0xDFFF) return false;
        return CharUnicodeInfo.GetUnicodeCategory(cp) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }

    /// <summary>repr(float): the shortest round-trip digits, positional for 1e-4 ≤ |d| &lt; 1e16, else d.ddde±XX.</summary>
    public static string FloatRepr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0.0" : "0.0";
        // "R" gives the shortest round-trip digits in some layout; read them as 0.DIGITS × 10^point.
        string r = Math.Abs(d).ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E');
        string mantissa = e < 0 ? r : r[..e];
        int dot = mantissa.IndexOf('.');
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        int point = (dot < 0 ? mantissa.Length : dot) + (e < 0 ? 0 : int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture));
        int lead = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        point -= lead;
        var sb = new StringBuilder(d < 0 ? "-" : "");
        int exponent = point - 1;
        if (exponent is >= -4 and < 16)
        {
            if (point <= 0) sb.Append("0.").Append('0', -point).Append(digits);
            else if (point >= digits.Length) sb.Append(digits).Append('0', point - digits.Length).Append(".0");
            else sb.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }
        else
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append(exponent < 0 ? "e-" : "e+").Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
