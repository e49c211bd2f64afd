using System.Globalization;

namespace LayerSteer.ChatTemplates;

/// <summary>Python's numbers: bool counts as int; int(), float() and round() as the int/float/round filters apply them.</summary>
internal static class PyNumber
{
    public static bool IsNumber(object? v) => v is bool or long or double;
    public static bool IsInt(object? v) => v is bool or long;
    public static long AsLong(object? v) => v switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        _ => throw new TemplateError($"an integer is required, not {PyText.TypeName(v)}"),
    };
    public static double AsDouble(object? v) => v switch { bool b => b ? 1 : 0, long l => l, double d => d, _ => throw new TemplateError($"a number is required, not {PyText.TypeName(v)}") };

    /// <summary>The int filter's conversion: int(v, base), else int(float(v)); null when both fail (the filter's default).</summary>
    public static long? ToInt(object? v, long numberBase) => v switch
    {
        Undefined u => throw u.Error(),
        bool or long => AsLong(v),
        double d => double.IsNaN(d) ? null : Truncate(d),
        string s => ParseInt(s, numberBase) ?? (ParseFloat(s) is double f && double.IsFinite(f) ? Truncate(f) : null),
        _ => null,
    };

    static long Truncate(double d)
    {
        if (double.IsInfinity(d)) throw new TemplateError("cannot convert float infinity to integer");
        double t = Math.Truncate(d);
        if (t is >= 9.2233720368547758e18 or < -9.2233720368547758e18) throw new TemplateError("integer overflow (templates here use 64-bit integers)");
        return (long)t;
    }

    /// <summary>float(v), or null when Python's float() would raise TypeError/ValueError.</summary>
    public static double? ToFloat(object? v) => v switch
    {
        Undefined u => throw u.Error(),
        bool or long or double => AsDouble(v),
        string s => ParseFloat(s),
        _ => null,
    };

    // int(s, base): surrounding whitespace, a sign, single underscores between digits, 0x/0o/0b prefixes for their base or base 0.
    static long? ParseInt(string s, long numberBase)
    {
        s = PyText.Strip(s);
        bool negative = s.StartsWith('-');
        if (s.StartsWith('-') || s.StartsWith('+')) s = s[1..];
        if (s.Length > 1 && s[0] == '0' && char.ToLowerInvariant(s[1]) is 'x' or 'o' or 'b')
        {
            long prefixBase = char.ToLowerInvariant(s[1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            if (numberBase != 0 && numberBase != prefixBase) return null;
            numberBase = prefixBase;
            s = s[2..].StartsWith('_') ? s[3..] : s[2..];
        }
        else if (numberBase == 0) numberBase = 10;
        if (numberBase is < 2 or > 36 || !Digits(s)) return null;
        long value = 0;
        try
        {
            foreach (char c in s)
            {
                if (c == '_') continue;
                int d = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? char.ToLowerInvariant(c) - 'a' + 10 : 99;
                if (d >= numberBase) return null;
                value = checked(value * numberBase + d);
            }
            return negative ? checked(-value) : value;
        }
        catch (OverflowException) { throw new TemplateError("integer overflow (templates here use 64-bit integers)"); }
    }

    // Letters/digits with single underscores only between them.
    static bool Digits(string s) =>
        s.Length > 0 && s[0] != '_' && s[^1] != '_' && !s.Contains("__") && s.All(c => c == '_' || char.IsAsciiLetterOrDigit(c));

    static double? ParseFloat(string s)
    {
        s = PyText.Strip(s);
        string body = s.TrimStart('+', '-');
        if (s.Length - body.Length > 1) return null;
        bool negative = s.StartsWith('-');
        switch (body.ToLowerInvariant())
        {
            case "inf" or "infinity": return negative ? double.NegativeInfinity : double.PositiveInfinity;
            case "nan": return double.NaN;
        }
        if (body.Contains('_'))
        {
            for (int i = 0; i < body.Length; i++)
                if (body[i] == '_' && (i == 0 || i == body.Length - 1 || !char.IsAsciiDigit(body[i - 1]) || !char.IsAsciiDigit(body[i + 1]))) return null;
            s = s.Replace("_", "");
        }
        if (s.Length == 0 || !s.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-')) return null;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : null;
    }

    /// <summary>The round filter: Python's round(v, precision) (half to even on the binary value), or ceil/floor at that precision.</summary>
    public static object Round(object? v, long precision, string method)
    {
        if (!IsNumber(v)) throw new TemplateError($"type {PyText.TypeName(v)} doesn't define __round__ method");
        if (method != "common")
        {
            double scale = Math.Pow(10, precision), x = AsDouble(v) * scale;
            return (method == "ceil" ? Math.Ceiling(x) : Math.Floor(x)) / scale;
        }
        if (IsInt(v))
        {
            long l = AsLong(v);
            if (precision >= 0) return l;
            double unit = Math.Pow(10, -precision);
            return (long)(Math.Round(l / unit, MidpointRounding.ToEven) * unit);
        }
        return PyFormat.Round((double)v!, (int)Math.Clamp(precision, -400, 400));
    }
}
