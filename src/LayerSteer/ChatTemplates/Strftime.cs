using System.Globalization;
using System.Text;

namespace LayerSteer.ChatTemplates;

/// <summary>Python's datetime.strftime in the C locale (what transformers' strftime_now calls), including glibc's %-d style unpadded fields.</summary>
internal static class Strftime
{
    static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Format(DateTimeOffset t, string format)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length) { sb.Append(format[i]); continue; }
            char c = format[++i];
            bool unpadded = c == '-' && i + 1 < format.Length;
            if (unpadded) c = format[++i];
            sb.Append(Field(t, c, unpadded) ?? throw new TemplateError($"strftime directive '%{(unpadded ? "-" : "")}{c}' is not supported"));
        }
        return sb.ToString();
    }

    static string? Field(DateTimeOffset t, char c, bool unpadded)
    {
        string Num(int v, int width) => unpadded ? v.ToString(C) : v.ToString(new string('0', width), C);
        int hour12 = t.Hour % 12 == 0 ? 12 : t.Hour % 12;
        return c switch
        {
            'a' => t.ToString("ddd", C),
            'A' => t.ToString("dddd", C),
            'b' or 'h' => t.ToString("MMM", C),
            'B' => t.ToString("MMMM", C),
            'd' => Num(t.Day, 2),
            'e' => unpadded ? t.Day.ToString(C) : t.Day.ToString(C).PadLeft(2),
            'm' => Num(t.Month, 2),
            'y' => Num(t.Year % 100, 2),
            'Y' => t.Year.ToString(C),
            'H' => Num(t.Hour, 2),
            'I' => Num(hour12, 2),
            'l' => unpadded ? hour12.ToString(C) : hour12.ToString(C).PadLeft(2),
            'M' => Num(t.Minute, 2),
            'S' => Num(t.Second, 2),
            'f' => (t.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", C),
            'p' => t.Hour < 12 ? "AM" : "PM",
            'j' => Num(t.DayOfYear, 3),
            'w' => ((int)t.DayOfWeek).ToString(C),
            'u' => (t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek).ToString(C),
            'z' => (t.Offset < TimeSpan.Zero ? "-" : "+") + t.Offset.Duration().ToString("hhmm", C),
            'F' => t.ToString("yyyy-MM-dd", C),
            'D' => t.ToString("MM/dd/yy", C),
            'T' => t.ToString("HH:mm:ss", C),
            'R' => t.ToString("HH:mm", C),
            'c' => t.ToString("ddd MMM ", C) + t.Day.ToString(C).PadLeft(2) + t.ToString(" HH:mm:ss yyyy", C),
            'x' => t.ToString("MM/dd/yy", C),
            'X' => t.ToString("HH:mm:ss", C),
            'n' => "\n",
            't' => "\t",
            '%' => "%",
            _ => null,
        };
    }
}
