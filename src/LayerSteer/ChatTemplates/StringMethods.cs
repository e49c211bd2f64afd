using System.Globalization;
using System.Text;

namespace LayerSteer.ChatTemplates;

/// <summary>The Python str methods chat templates call (strip, split, startswith, replace, …), with Python's edge cases.</summary>
internal static class StringMethods
{
    public static Builtin? Bind(string s, string name)
    {
        Func<Interpreter, Args, object?>? body = name switch
        {
            "strip" => (it, a) => Strip(s, a, PyText.Strip),
            "lstrip" => (it, a) => Strip(s, a, PyText.LStrip),
            "rstrip" => (it, a) => Strip(s, a, PyText.RStrip),
            "split" => (it, a) => Split(s, a, fromRight: false),
            "rsplit" => (it, a) => Split(s, a, fromRight: true),
            "splitlines" => (it, a) => SplitLines(s, a),
            "startswith" => (it, a) => Affix(s, a, "prefix", (x, p) => x.StartsWith(p, StringComparison.Ordinal)),
            "endswith" => (it, a) => Affix(s, a, "suffix", (x, p) => x.EndsWith(p, StringComparison.Ordinal)),
            "upper" => (it, a) => NoArgs(a, Upper(s)),
            "lower" => (it, a) => NoArgs(a, Lower(s)),
            "title" => (it, a) => NoArgs(a, Title(s)),
            "capitalize" => (it, a) => NoArgs(a, Capitalize(s)),
            "replace" => (it, a) => Replace(s, Str(a.Require("old"), "old"), Str(a.Require("new"), "new"), AsCount(a.Take("count", -1L)), a, it),
            "find" => (it, a) => Find(s, a, fromRight: false, raise: false),
            "rfind" => (it, a) => Find(s, a, fromRight: true, raise: false),
            "index" => (it, a) => Find(s, a, fromRight: false, raise: true),
            "rindex" => (it, a) => Find(s, a, fromRight: true, raise: true),
            "count" => (it, a) => Count(s, a),
            "join" => (it, a) => Join(s, a, it),
            "removeprefix" => (it, a) => { string p = Str(a.Require("prefix"), "prefix"); a.End(); return s.StartsWith(p, StringComparison.Ordinal) ? s[p.Length..] : s; },
            "removesuffix" => (it, a) => { string p = Str(a.Require("suffix"), "suffix"); a.End(); return p.Length > 0 && s.EndsWith(p, StringComparison.Ordinal) ? s[..^p.Length] : s; },
            "center" => (it, a) => Pad(s, a, it, CenterLeft),
            "ljust" => (it, a) => Pad(s, a, it, (_, _) => 0),
            "rjust" => (it, a) => Pad(s, a, it, (marg, _) => marg),
            "isdigit" => (it, a) => NoArgs(a, s.Length > 0 && s.All(char.IsDigit)),
            "isnumeric" => (it, a) => NoArgs(a, s.Length > 0 && s.All(char.IsNumber)),
            "isalpha" => (it, a) => NoArgs(a, s.Length > 0 && s.All(char.IsLetter)),
            "isalnum" => (it, a) => NoArgs(a, s.Length > 0 && s.All(char.IsLetterOrDigit)),
            "isspace" => (it, a) => NoArgs(a, s.Length > 0 && s.All(PyText.IsSpace)),
            "islower" => (it, a) => NoArgs(a, s.Any(char.IsLower) && !s.Any(char.IsUpper)),
            "isupper" => (it, a) => NoArgs(a, s.Any(char.IsUpper) && !s.Any(char.IsLower)),
            _ => null,
        };
        return body is null ? null : new Builtin($"str.{name}", (it, a) => body(it, a.For($"str.{name}")));
    }

    static object? NoArgs(Args a, object? result)
    {
        a.End();
        return result;
    }

    static string Str(object? v, string what) => v as string ?? throw new TemplateError($"{what} must be str, not {PyText.TypeName(v)}");

    static string? OptionalStr(object? v, string what) => v is null ? null : Str(v, what);

    static long AsCount(object? v) => v switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        _ => throw new TemplateError($"an integer is required, not {PyText.TypeName(v)}"),
    };

    public static string Upper(string s) => s.ToUpperInvariant();
    public static string Lower(string s) => s.ToLowerInvariant();

    /// <summary>str.capitalize(): the first character upper-cased, the rest lower-cased.</summary>
    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    // str.title(): a cased letter after a cased letter is lowered, any other cased letter raised.
    static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool previousCased = false;
        foreach (char c in s)
        {
            bool cased = char.IsUpper(c) || char.IsLower(c) || char.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter;
            sb.Append(!cased ? c : previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = cased;
        }
        return sb.ToString();
    }

    static string Strip(string s, Args a, Func<string, string?, string> strip)
    {
        string? chars = OptionalStr(a.Take("chars"), "chars");
        a.End();
        return strip(s, chars);
    }

    static PyList Split(string s, Args a, bool fromRight)
    {
        string? sep = OptionalStr(a.Take("sep"), "sep");
        long max = AsCount(a.Take("maxsplit", -1L));
        a.End();
        if (sep is { Length: 0 }) throw new TemplateError("empty separator");
        var parts = sep is null ? SplitWhitespace(s, max, fromRight) : SplitOn(s, sep, max, fromRight);
        return new PyList(parts.Select(p => (object?)p));
    }

    static List<string> SplitOn(string s, string sep, long max, bool fromRight)
    {
        var parts = new List<string>();
        if (!fromRight)
        {
            int start = 0;
            for (int i; (max < 0 || parts.Count < max) && (i = s.IndexOf(sep, start, StringComparison.Ordinal)) >= 0; start = i + sep.Length)
                parts.Add(s[start..i]);
            parts.Add(s[start..]);
            return parts;
        }
        int end = s.Length;
        for (int i; (max < 0 || parts.Count < max) && end >= sep.Length && (i = s.LastIndexOf(sep, end - 1, end, StringComparison.Ordinal)) >= 0; end = i)
            parts.Add(s[(i + sep.Length)..end]);
        parts.Add(s[..end]);
        parts.Reverse();
        return parts;
    }

    // split() with no separator: runs of whitespace separate, and leading/trailing whitespace yields nothing.
    static List<string> SplitWhitespace(string s, long max, bool fromRight)
    {
        var parts = new List<string>();
        if (fromRight)
        {
            int i = s.Length;
            while (true)
            {
                while (i > 0 && PyText.IsSpace(s[i - 1])) i--;
                if (i == 0) break;
                if (max >= 0 && parts.Count == max) { parts.Add(s[..i]); break; }
                int end = i;
                while (i > 0 && !PyText.IsSpace(s[i - 1])) i--;
                parts.Add(s[i..end]);
            }
            parts.Reverse();
            return parts;
        }
        int j = 0;
        while (true)
        {
            while (j < s.Length && PyText.IsSpace(s[j])) j++;
            if (j == s.Length) break;
            if (max >= 0 && parts.Count == max) { parts.Add(s[j..]); break; }
            int start = j;
            while (j < s.Length && !PyText.IsSpace(s[j])) j++;
            parts.Add(s[start..j]);
        }
        return parts;
    }

    static bool IsLineBreak(char c) => c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029';

    /// <summary>str.splitlines(): splits at every Unicode line boundary; no empty last part for a trailing break.</summary>
    public static List<string> Lines(string s, bool keepEnds = false)
    {
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (!IsLineBreak(s[i])) continue;
            int end = i;
            if (s[i] == '\r' && i + 1 < s.Length && s[i + 1] == '\n') i++;
            lines.Add(keepEnds ? s[start..(i + 1)] : s[start..end]);
            start = i + 1;
        }
        if (start < s.Length) lines.Add(s[start..]);
        return lines;
    }

    static PyList SplitLines(string s, Args a)
    {
        bool keep = PyOps.Truthy(a.Take("keepends", false));
        a.End();
        return new PyList(Lines(s, keep).Select(l => (object?)l));
    }

    // startswith / endswith: a str or a tuple of str, optionally within s[start:end].
    static bool Affix(string s, Args a, string what, Func<string, string, bool> test)
    {
        var affix = a.Require(what);
        var start = a.Take("start");
        var end = a.Take("end");
        a.End();
        if (start is not null || end is not null) s = (string)PyOps.Slice(s, start, end, null);
        if (affix is PyList { IsTuple: true } options) return options.Any(o => test(s, Str(o, what)));
        if (affix is not string text) throw new TemplateError($"{what} must be str or a tuple of str, not {PyText.TypeName(affix)}");
        return test(s, text);
    }

    /// <summary>str.replace with Python's rules: count &lt; 0 replaces all, an empty old inserts between characters.</summary>
    public static string Replace(string s, string old, string replacement, long count, long maxLength)
    {
        if (count < 0) count = long.MaxValue;
        var sb = new StringBuilder();
        int done = 0, made = 0;
        if (old.Length == 0)
        {
            for (int i = 0; i <= s.Length && made < count; i++, made++)
            {
                sb.Append(s, done, i - done).Append(replacement);
                done = i;
                if (sb.Length > maxLength) break;
            }
        }
        else
        {
            for (int i; made < count && (i = s.IndexOf(old, done, StringComparison.Ordinal)) >= 0; made++)
            {
                sb.Append(s, done, i - done).Append(replacement);
                done = i + old.Length;
                if (sb.Length > maxLength) break;
            }
        }
        sb.Append(s, done, s.Length - done);
        PyOps.CheckLength(sb.Length, maxLength);
        return sb.ToString();
    }

    static string Replace(string s, string old, string replacement, long count, Args a, Interpreter it)
    {
        a.End();
        return Replace(s, old, replacement, count, it.Limits.MaxOutputChars);
    }

    static object Find(string s, Args a, bool fromRight, bool raise)
    {
        string sub = Str(a.Require("sub"), "sub");
        var (offset, window) = Window(s, a);
        int i = fromRight ? window.LastIndexOf(sub, StringComparison.Ordinal) : window.IndexOf(sub, StringComparison.Ordinal);
        if (i < 0) return raise ? throw new TemplateError("substring not found") : -1L;
        return (long)(i + offset);
    }

    static long Count(string s, Args a)
    {
        string sub = Str(a.Require("sub"), "sub");
        var (_, window) = Window(s, a);
        if (sub.Length == 0) return window.Length + 1;
        long n = 0;
        for (int i = window.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = window.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    // The optional start/end arguments of find/count as the searched part of s and its offset.
    static (int Offset, string Window) Window(string s, Args a)
    {
        var start = a.Take("start");
        var end = a.Take("end");
        a.End();
        if (start is null && end is null) return (0, s);
        string window = (string)PyOps.Slice(s, start, end, null);
        long from = start is long l ? (l < 0 ? Math.Max(0, l + s.Length) : Math.Min(l, s.Length)) : 0;
        return ((int)from, window);
    }

    static string Join(string sep, Args a, Interpreter it)
    {
        var items = PyOps.Iterate(a.Require("iterable"));
        a.End();
        for (int i = 0; i < items.Count; i++)
            if (items[i] is not string)
                throw new TemplateError($"sequence item {i}: expected str instance, {PyText.TypeName(items[i])} found");
        return JoinChecked(sep, items.Select(x => (string)x!).ToList(), it.Limits.MaxOutputChars);
    }

    /// <summary>string.Join after checking the result fits in <paramref name="maxLength"/>.</summary>
    public static string JoinChecked(string sep, List<string> items, long maxLength)
    {
        PyOps.CheckLength(items.Sum(x => (double)x.Length) + (double)sep.Length * Math.Max(0, items.Count - 1), maxLength);
        return string.Join(sep, items);
    }

    /// <summary>str.center's left padding: half the margin, the odd one on the left when the width is odd.</summary>
    public static int CenterLeft(int marg, int width) => marg / 2 + (marg & width & 1);

    static string Pad(string s, Args a, Interpreter it, Func<int, int, int> left)
    {
        long width = AsCount(a.Require("width"));
        string fill = Str(a.Take("fillchar", " "), "fillchar");
        a.End();
        if (fill.Length != 1) throw new TemplateError("the fill character must be exactly one character long");
        return Padded(s, width, fill[0], left, it.Limits.MaxOutputChars);
    }

    /// <summary>s padded with <paramref name="fill"/> to <paramref name="width"/>, <paramref name="left"/>(margin, width) of it on the left.</summary>
    public static string Padded(string s, long width, char fill, Func<int, int, int> left, long maxLength)
    {
        PyOps.CheckLength(width, maxLength);
        int marg = (int)width - s.Length;
        if (marg <= 0) return s;
        int l = left(marg, (int)width);
        return new string(fill, l) + s + new string(fill, marg - l);
    }
}
