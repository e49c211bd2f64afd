using System.Globalization;
using System.Numerics;
using System.Text;

namespace LayerSteer.ChatTemplates;

/// <summary>Python's printf-style formatting (str % args and the format filter) and exactly rounded decimal digits of floats.</summary>
internal static class PyFormat
{
    static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>The exact decimal value of a finite |d| as DIGITS × 10^-scale (every double is a finite decimal).</summary>
    static (BigInteger Digits, int Scale) Exact(double d)
    {
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(d));
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        exponent -= 1075;
        return exponent >= 0 ? (new BigInteger(mantissa) << exponent, 0) : (mantissa * BigInteger.Pow(5, -exponent), -exponent);
    }

    /// <summary>|d| rounded half-to-even to <paramref name="decimals"/> places (negative: tens, hundreds …), as an integer count of 10^-decimals.</summary>
    static BigInteger RoundedUnits(double d, int decimals)
    {
        var (digits, scale) = Exact(d);
        int drop = scale - decimals;
        if (drop <= 0) return digits * BigInteger.Pow(10, -drop);
        var unit = BigInteger.Pow(10, drop);
        var q = BigInteger.DivRem(digits, unit, out var r);
        int half = (r * 2).CompareTo(unit);
        return half > 0 || (half == 0 && !q.IsEven) ? q + 1 : q;
    }

    /// <summary>Python's round(d, decimals): the double nearest the exactly rounded (half-to-even) decimal.</summary>
    public static double Round(double d, int decimals)
    {
        if (!double.IsFinite(d) || decimals > 340) return d;
        var units = RoundedUnits(d, Math.Max(decimals, -400));
        string text = decimals >= 0 ? $"{units}E-{decimals}" : $"{units}E{-decimals}";
        double r = double.Parse(text, NumberStyles.Float, C);
        return d < 0 || (d == 0 && double.IsNegative(d)) ? -r : r;
    }

    // "%.Nf": |d| with exactly N decimals, correctly rounded.
    static string Fixed(double d, int decimals)
    {
        string s = RoundedUnits(d, decimals).ToString(C).PadLeft(decimals + 1, '0');
        return decimals == 0 ? s : s[..^decimals] + "." + s[^decimals..];
    }

    // "%.Ne": |d| as m.mmm (N decimals) and its decimal exponent, correctly rounded.
    static (string Mantissa, int Exponent) Scientific(double d, int decimals)
    {
        if (d == 0) return (decimals == 0 ? "0" : "0." + new string('0', decimals), 0);
        var (digits, scale) = Exact(d);
        int exponent = digits.ToString(C).Length - 1 - scale;
        var units = RoundedUnits(d, decimals - exponent);
        if (units.ToString(C).Length > decimals + 1) { exponent++; units = RoundedUnits(d, decimals - exponent); }
        string s = units.ToString(C);
        return (decimals == 0 ? s : s[..1] + "." + s[1..], exponent);
    }

    static string Exponent(int e, bool upper) => (upper ? "E" : "e") + (e < 0 ? "-" : "+") + Math.Abs(e).ToString("00", C);

    /// <summary>format % args: a tuple gives the positional values, a dict the %(name)s values, anything else is the one value.</summary>
    public static string Format(string format, object? args, long maxLength)
    {
        var values = args is PyList { IsTuple: true } t ? t : new PyList([args], isTuple: true);
        bool mappingLike = args is PyDict or PyList { IsTuple: false }; // Python accepts leftover arguments for these
        int next = 0;
        var sb = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (sb.Length > maxLength) throw new TemplateError($"a formatted string is longer than {maxLength} characters (limit)");
            char c = format[i];
            if (c != '%') { sb.Append(c); continue; }
            if (++i >= format.Length) throw new TemplateError("incomplete format");
            object? value = null;
            bool haveValue = false;
            if (format[i] == '(')
            {
                int close = format.IndexOf(')', i);
                if (close < 0) throw new TemplateError("incomplete format key");
                if (args is not PyDict d) throw new TemplateError("format requires a mapping");
                string key = format[(i + 1)..close];
                value = d.TryGet(key, out var v) ? v : throw new TemplateError($"KeyError: '{key}'");
                haveValue = true;
                i = close + 1;
            }
            string flags = "";
            while (i < format.Length && "-+ #0".Contains(format[i])) flags += format[i++];
            int? width = ReadNumber(format, ref i, values, ref next);
            int? precision = null;
            if (i < format.Length && format[i] == '.') { i++; precision = ReadNumber(format, ref i, values, ref next) ?? 0; }
            while (i < format.Length && format[i] is 'h' or 'l' or 'L') i++;
            if (i >= format.Length) throw new TemplateError("incomplete format");
            char conversion = format[i];
            if (conversion == '%') { sb.Append('%'); continue; }
            if (!haveValue)
            {
                if (next >= values.Count) throw new TemplateError("not enough arguments for format string");
                value = values[next++];
            }
            if (width is < 0) { flags += "-"; width = width == int.MinValue ? int.MaxValue : -width; }
            if (precision is < 0) precision = 0; // Python treats a negative * precision as 0
            if (width > maxLength || precision > maxLength) throw new TemplateError($"a format width or precision over {maxLength} (limit)");
            sb.Append(Pad(Convert(value, conversion, flags, precision), width ?? 0, flags, conversion));
        }
        if (next < values.Count && !mappingLike) throw new TemplateError("not all arguments converted during string formatting");
        return sb.ToString();
    }

    // A width or precision: digits, or * taking the next argument.
    static int? ReadNumber(string format, ref int i, PyList values, ref int next)
    {
        if (i < format.Length && format[i] == '*')
        {
            i++;
            if (next >= values.Count) throw new TemplateError("not enough arguments for format string");
            return values[next++] is long l ? (int)Math.Clamp(l, int.MinValue, int.MaxValue) : throw new TemplateError("* wants int");
        }
        int start = i;
        while (i < format.Length && char.IsAsciiDigit(format[i])) i++;
        if (i == start) return null;
        return int.TryParse(format.AsSpan(start, i - start), NumberStyles.None, C, out int n) ? n : int.MaxValue; // too wide: the limit check refuses it
    }

    static string Convert(object? value, char conversion, string flags, int? precision)
    {
        switch (conversion)
        {
            case 's': { string s = PyText.Str(value); return precision is int p && p < s.Length ? s[..p] : s; }
            case 'r' or 'a': { string s = PyText.Repr(value); return precision is int p && p < s.Length ? s[..p] : s; }
            case 'c':
                if (value is string { Length: 1 } ch) return ch;
                if (value is long code and >= 0 and <= 0x10FFFF) return code is >= 0xD800 and <= 0xDFFF ? ((char)code).ToString() : char.ConvertFromUtf32((int)code);
                throw new TemplateError("%c requires int or char");
            case 'd' or 'i' or 'u' or 'x' or 'X' or 'o': return Integer(value, conversion, flags, precision);
            case 'f' or 'F' or 'e' or 'E' or 'g' or 'G': return Float(value, conversion, flags, precision ?? 6);
        }
        throw new TemplateError($"unsupported format character '{conversion}' (0x{(int)conversion:x})");
    }

    static string Sign(bool negative, string flags) => negative ? "-" : flags.Contains('+') ? "+" : flags.Contains(' ') ? " " : "";

    static string Integer(object? value, char conversion, string flags, int? precision)
    {
        BigInteger n = value switch
        {
            bool or long => PyNumber.AsLong(value),
            double d when double.IsNaN(d) => throw new TemplateError("cannot convert float NaN to integer"),
            double d when double.IsInfinity(d) => throw new TemplateError("cannot convert float infinity to integer"),
            double d when conversion is 'd' or 'i' or 'u' => new BigInteger(Math.Truncate(d)),
            _ => throw new TemplateError(conversion is 'd' or 'i' or 'u'
                ? $"%{conversion} format: a real number is required, not {PyText.TypeName(value)}"
                : $"%{conversion} format: an integer is required, not {PyText.TypeName(value)}"),
        };
        var abs = BigInteger.Abs(n);
        string digits = conversion switch
        {
            'x' => abs.ToString("x", C).TrimStart('0'),
            'X' => abs.ToString("X", C).TrimStart('0'),
            'o' => ToOctal(abs),
            _ => abs.ToString(C),
        };
        if (digits.Length == 0) digits = "0";
        if (precision is int p) digits = digits.PadLeft(p, '0');
        string prefix = flags.Contains('#') ? conversion switch { 'x' => "0x", 'X' => "0X", 'o' => "0o", _ => "" } : "";
        return Sign(n < 0, flags) + prefix + digits;
    }

    static string ToOctal(BigInteger v)
    {
        if (v.IsZero) return "0";
        var sb = new StringBuilder();
        while (!v.IsZero) { sb.Insert(0, (char)('0' + (int)(v % 8))); v /= 8; }
        return sb.ToString();
    }

    static string Float(object? value, char conversion, string flags, int precision)
    {
        if (!PyNumber.IsNumber(value))
            throw new TemplateError($"must be real number, not {PyText.TypeName(value)}");
        double d = PyNumber.AsDouble(value);
        bool upper = char.IsUpper(conversion);
        string sign = Sign(double.IsNegative(d) && !double.IsNaN(d), flags);
        if (double.IsNaN(d)) return sign + (upper ? "NAN" : "nan");
        if (double.IsInfinity(d)) return sign + (upper ? "INF" : "inf");
        bool alternate = flags.Contains('#');
        string body;
        switch (char.ToLowerInvariant(conversion))
        {
            case 'f':
                body = Fixed(d, precision);
                if (alternate && precision == 0) body += ".";
                break;
            case 'e':
                var (m, e) = Scientific(d, precision);
                body = m + (alternate && precision == 0 ? "." : "") + Exponent(e, upper);
                break;
            default:
                // %g: P significant digits, positional when -4 ≤ exponent < P, trailing zeros dropped unless '#'.
                int p = precision == 0 ? 1 : precision;
                var (_, exp) = Scientific(d, p - 1);
                if (exp >= -4 && exp < p) body = Fixed(d, p - 1 - exp);
                else { var (mantissa, e2) = Scientific(d, p - 1); body = (alternate ? mantissa : TrimZeros(mantissa)) + Exponent(e2, upper); break; }
                if (!alternate) body = TrimZeros(body);
                break;
        }
        return sign + body;
    }

    static string TrimZeros(string s) => s.Contains('.') ? s.TrimEnd('0').TrimEnd('.') : s;

    // Width padding: left-justified with '-', zero-filled after the sign for numbers with '0', else spaces before.
    static string Pad(string s, int width, string flags, char conversion)
    {
        if (s.Length >= width) return s;
        if (flags.Contains('-')) return s.PadRight(width);
        if (flags.Contains('0') && conversion is not ('s' or 'r' or 'a' or 'c') && !s.EndsWith("inf") && !s.EndsWith("nan") && !s.EndsWith("INF") && !s.EndsWith("NAN"))
        {
            int signLength = s.Length > 0 && s[0] is '-' or '+' or ' ' ? 1 : 0;
            if (s.Length > signLength + 1 && s[signLength] == '0' && char.ToLowerInvariant(s[signLength + 1]) is 'x' or 'o') signLength += 2;
            return s[..signLength] + new string('0', width - s.Length) + s[signLength..];
        }
        return s.PadLeft(width);
    }
}
