using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LayerSteer.ChatTemplates;

/// <summary>jinja2's built-in filters that chat templates use, plus transformers' tojson; same arguments and edge cases.</summary>
internal static partial class Filters
{
    delegate object? Filter(Interpreter it, object? value, Args args);

    static readonly Dictionary<string, Filter> All = new()
    {
        ["abs"] = (_, v, a) => End(a, v switch
        {
            bool or long => PyNumber.AsLong(v) < 0 ? PyOps.Negate(v) : PyNumber.AsLong(v),
            double d => (object)Math.Abs(d),
            _ => throw new TemplateError($"bad operand type for abs(): '{PyText.TypeName(v)}'"),
        }),
        ["attr"] = (_, v, a) => { string name = Str(a.Require("name")); a.End(); return Members.AttributeOnly(v, name); },
        ["batch"] = (it, v, a) =>
        {
            long size = PyNumber.AsLong(a.Require("linecount"));
            var fill = a.Take("fill_with");
            a.End();
            if (size <= 0) throw new TemplateError("batch size must be positive");
            if (fill is not null) PyOps.CheckLength(size, it.Limits.MaxOutputChars); // the last batch is padded to size
            var items = PyOps.Iterate(v);
            return new PyIterator(items.Chunk((int)Math.Min(size, int.MaxValue)).Select(chunk =>
                (object?)new PyList(fill is not null && chunk.Length < size ? chunk.Concat(Enumerable.Repeat(fill, (int)size - chunk.Length)) : chunk)));
        },
        ["capitalize"] = (_, v, a) => End(a, StringMethods.Capitalize(PyText.Str(v))),
        ["center"] = (it, v, a) =>
        {
            long width = PyNumber.AsLong(a.Take("width", 80L));
            a.End();
            return StringMethods.Padded(PyText.Str(v), width, ' ', StringMethods.CenterLeft, it.Limits.MaxOutputChars);
        },
        ["count"] = (_, v, a) => End(a, PyOps.Length(v)),
        ["default"] = Default,
        ["d"] = Default,
        ["dictsort"] = DictSort,
        ["escape"] = (_, v, a) => End(a, Escape(PyText.Str(v))),
        ["e"] = (_, v, a) => End(a, Escape(PyText.Str(v))),
        ["forceescape"] = (_, v, a) => End(a, Escape(PyText.Str(v))),
        ["first"] = (_, v, a) => End(a, First(v)),
        ["format"] = (it, v, a) =>
        {
            if (a.Positional.Count > 0 && a.Named.Count > 0) throw new TemplateError("can't handle positional and keyword arguments at the same time");
            object? values = a.Named.Count > 0 ? a.Named.Aggregate(new PyDict(), (d, n) => { d.Set(n.Key, n.Value); return d; }) : new PyList(a.Positional, isTuple: true);
            return PyFormat.Format(PyText.Str(v), values, it.Limits.MaxOutputChars);
        },
        ["float"] = (_, v, a) =>
        {
            var fallback = a.Take("default", 0.0);
            a.End();
            return PyNumber.ToFloat(v) ?? fallback;
        },
        ["indent"] = Indent,
        ["int"] = (_, v, a) =>
        {
            var fallback = a.Take("default", 0L);
            var numberBase = a.Take("base", 10L);
            a.End();
            return PyNumber.ToInt(v, numberBase is long b ? b : 10) ?? fallback;
        },
        ["items"] = (_, v, a) => End(a, v switch
        {
            Undefined => new PyIterator([]),
            PyDict d => new PyIterator(d.Items.Select(p => (object?)Members.Pair(p.Key, p.Value))),
            _ => throw new TemplateError("Can only get item pairs from a mapping."),
        }),
        ["join"] = Join,
        ["last"] = (_, v, a) => End(a, Last(v)),
        ["length"] = (_, v, a) => End(a, PyOps.Length(v)),
        ["list"] = (_, v, a) => End(a, new PyList(PyOps.Iterate(v))),
        ["lower"] = (_, v, a) => End(a, StringMethods.Lower(PyText.Str(v))),
        ["map"] = Map,
        ["max"] = (it, v, a) => MinMax(v, a, sign: 1),
        ["min"] = (it, v, a) => MinMax(v, a, sign: -1),
        ["reject"] = (it, v, a) => Select(it, v, a, keep: false, byAttribute: false),
        ["rejectattr"] = (it, v, a) => Select(it, v, a, keep: false, byAttribute: true),
        ["replace"] = (it, v, a) =>
        {
            string old = PyText.Str(a.Require("old")), replacement = PyText.Str(a.Require("new"));
            var count = a.Take("count");
            a.End();
            return StringMethods.Replace(PyText.Str(v), old, replacement, count is null ? -1 : PyNumber.AsLong(count), it.Limits.MaxOutputChars);
        },
        ["reverse"] = (_, v, a) => End(a, Reverse(v)),
        ["round"] = Round,
        ["safe"] = (_, v, a) => End(a, PyText.Str(v)),
        ["select"] = (it, v, a) => Select(it, v, a, keep: true, byAttribute: false),
        ["selectattr"] = (it, v, a) => Select(it, v, a, keep: true, byAttribute: true),
        ["sort"] = Sort,
        ["string"] = (_, v, a) => End(a, PyText.Str(v)),
        ["sum"] = (it, v, a) =>
        {
            var attribute = a.Take("attribute");
            object? total = a.Take("start", 0L);
            a.End();
            foreach (var item in PyOps.Iterate(v)) total = PyOps.Add(total, Members.AttrPath(item, attribute), it.Limits.MaxOutputChars);
            return total;
        },
        ["title"] = (_, v, a) => End(a, Title(PyText.Str(v))),
        ["tojson"] = ToJson,
        ["trim"] = (_, v, a) =>
        {
            var chars = a.Take("chars");
            a.End();
            return PyText.Strip(PyText.Str(v), chars is null ? null : Str(chars));
        },
        ["unique"] = Unique,
        ["upper"] = (_, v, a) => End(a, StringMethods.Upper(PyText.Str(v))),
        ["wordcount"] = (_, v, a) => End(a, (long)WordRegex().Count(PyText.Str(v))),
    };

    public static bool Exists(string name) => All.ContainsKey(name);

    public static object? Apply(Interpreter it, string name, object? value, Args args)
    {
        if (!All.TryGetValue(name, out var filter)) throw new TemplateError($"no filter named '{name}'");
        return filter(it, value, args.For(name));
    }

    static object? End(Args a, object? result)
    {
        a.End();
        return result;
    }

    static string Str(object? v) => v as string ?? throw new TemplateError($"expected a string, got {PyText.TypeName(v)}");

    static object? Default(Interpreter it, object? v, Args a)
    {
        var fallback = a.Take("default_value", "");
        bool boolean = PyOps.Truthy(a.Take("boolean", false));
        a.End();
        return v is Undefined || (boolean && !PyOps.Truthy(v)) ? fallback : v;
    }

    static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&#34;").Replace("'", "&#39;");

    static object? First(object? v)
    {
        if (v is PyIterator iterator) return iterator.TryNext(out var next) ? next : new Undefined("No first item, sequence was empty.");
        var items = PyOps.Iterate(v);
        return items.Count > 0 ? items[0] : new Undefined("No first item, sequence was empty.");
    }

    static object? Last(object? v)
    {
        if (v is PyIterator) throw new TemplateError("'generator' object is not reversible");
        var items = PyOps.Iterate(v);
        return items.Count > 0 ? items[^1] : new Undefined("No last item, sequence was empty.");
    }

    static object? Reverse(object? v) => v switch
    {
        string s => new string(s.Reverse().ToArray()),
        PyIterator it => new PyList(Enumerable.Reverse(it.Drain())),
        PyList or PyDict or Undefined => new PyIterator(PyOps.Iterate(v).Reverse()),
        _ => throw new TemplateError("argument must be iterable"),
    };

    static object? Join(Interpreter it, object? v, Args a)
    {
        string sep = PyText.Str(a.Take("d", ""));
        var attribute = a.Take("attribute");
        a.End();
        var parts = PyOps.Iterate(v).Select(x => PyText.Str(Members.AttrPath(x, attribute), it.Limits.MaxOutputChars)).ToList();
        return StringMethods.JoinChecked(sep, parts, it.Limits.MaxOutputChars);
    }

    // map('filter', args…) or map(attribute='a.b', default=…); lazy, like jinja2's generator.
    static object? Map(Interpreter it, object? v, Args a)
    {
        var items = PyOps.Truthy(v) ? PyOps.Iterate(v) : []; // jinja2 maps nothing over a falsy value, iterable or not
        if (a.Positional.Count == 0 && a.Named.Any(n => n.Key == "attribute"))
        {
            var attribute = a.Take("attribute");
            var fallback = a.Take("default");
            a.End();
            return new PyIterator(items.Select(x =>
            {
                var r = Members.AttrPath(x, attribute);
                return r is Undefined && fallback is not null ? fallback : r;
            }));
        }
        if (a.Positional.Count == 0) throw new TemplateError("map requires a filter argument");
        string name = Str(a.Positional[0]);
        var rest = new Args(name, a.Positional.Skip(1).ToList(), a.Named);
        return new PyIterator(items.Select(x => Apply(it, name, x, rest)));
    }

    // select/reject(test, args…) and selectattr/rejectattr(attr, test, args…); no test means truthiness.
    static object? Select(Interpreter it, object? v, Args a, bool keep, bool byAttribute)
    {
        if (!PyOps.Truthy(v)) return new PyIterator([]);
        var items = PyOps.Iterate(v);
        int offset = 0;
        object? attribute = null;
        if (byAttribute)
        {
            if (a.Positional.Count == 0) throw new TemplateError("Missing parameter for attribute name");
            attribute = a.Positional[0];
            offset = 1;
        }
        string? test = a.Positional.Count > offset ? Str(a.Positional[offset]) : null;
        var testArgs = new Args(test ?? "", a.Positional.Skip(offset + 1).ToList(), a.Named);
        return new PyIterator(items.Where(x =>
        {
            var subject = byAttribute ? Members.AttrPath(x, attribute) : x;
            bool passed = test is null ? PyOps.Truthy(subject) : TestFunctions.Apply(it, test, subject, testArgs);
            return passed == keep;
        }));
    }

    // The sort key of jinja2's attribute filters: lower-cased strings unless case_sensitive.
    static object? Key(object? item, object? attribute, bool caseSensitive)
    {
        var k = Members.AttrPath(item, attribute);
        return !caseSensitive && k is string s ? StringMethods.Lower(s) : k;
    }

    sealed class PyComparer : IComparer<object?>
    {
        public static readonly PyComparer Instance = new();
        public int Compare(object? x, object? y) => PyOps.Equal(x, y) ? 0 : PyOps.Ordered(x, y, "<") ? -1 : 1;
    }

    // Python's stable sorted(items, key, reverse); a key comparison that fails (dict < dict) is the template's error.
    static PyList Sorted<T>(IEnumerable<T> items, Func<T, object?> key, bool reverse)
    {
        try { return new PyList((reverse ? items.OrderByDescending(key, PyComparer.Instance) : items.OrderBy(key, PyComparer.Instance)).Select(x => (object?)x).ToList()); }
        catch (InvalidOperationException e) when (e.InnerException is TemplateError inner) { throw inner; }
    }

    static object? Sort(Interpreter it, object? v, Args a)
    {
        bool reverse = PyOps.Truthy(a.Take("reverse", false));
        bool caseSensitive = PyOps.Truthy(a.Take("case_sensitive", false));
        var attribute = a.Take("attribute");
        a.End();
        // "age,name" sorts by several attributes.
        var paths = attribute is string s ? s.Split(',').Select(p => (object?)p).ToList() : [attribute];
        object? SortKey(object? x) => paths.Count == 1 ? Key(x, paths[0], caseSensitive) : new PyList(paths.Select(p => Key(x, p, caseSensitive)));
        return Sorted(PyOps.Iterate(v), SortKey, reverse);
    }

    static object? DictSort(Interpreter it, object? v, Args a)
    {
        bool caseSensitive = PyOps.Truthy(a.Take("case_sensitive", false));
        var by = a.Take("by", "key");
        bool reverse = PyOps.Truthy(a.Take("reverse", false));
        a.End();
        if (v is Undefined u) throw u.Error();
        if (v is not PyDict d) throw new TemplateError($"dictsort needs a mapping, not {PyText.TypeName(v)}");
        int index = by switch { "key" => 0, "value" => 1, _ => throw new TemplateError("You can only sort by either \"key\" or \"value\"") };
        var pairs = d.Items.Select(p => Members.Pair(p.Key, p.Value)).ToList();
        object? SortKey(PyList p) => !caseSensitive && p[index] is string s ? StringMethods.Lower(s) : p[index];
        return Sorted(pairs, SortKey, reverse);
    }

    static object? Unique(Interpreter it, object? v, Args a)
    {
        bool caseSensitive = PyOps.Truthy(a.Take("case_sensitive", false));
        var attribute = a.Take("attribute");
        a.End();
        var seen = new PyDict();
        return new PyIterator(PyOps.Iterate(v).Where(x =>
        {
            var k = Key(x, attribute, caseSensitive);
            if (seen.Has(k)) return false;
            seen.Set(k, null);
            return true;
        }));
    }

    static object? MinMax(object? v, Args a, int sign)
    {
        bool caseSensitive = PyOps.Truthy(a.Take("case_sensitive", false));
        var attribute = a.Take("attribute");
        a.End();
        var items = PyOps.Iterate(v);
        if (items.Count == 0) return new Undefined("No aggregated item, sequence was empty.");
        object? best = items[0], bestKey = Key(best, attribute, caseSensitive);
        foreach (var x in items.Skip(1))
        {
            var k = Key(x, attribute, caseSensitive);
            if (PyOps.Ordered(k, bestKey, sign > 0 ? ">" : "<")) (best, bestKey) = (x, k);
        }
        return best;
    }

    // jinja2's title: the first letter after -, whitespace or an opening bracket is upper-cased, the rest lowered.
    static string Title(string s) => string.Concat(TitleSplitRegex().Split(s).Where(p => p.Length > 0)
        .Select(p => char.ToUpperInvariant(p[0]) + StringMethods.Lower(p[1..])));

    static object? Indent(Interpreter it, object? v, Args a)
    {
        var width = a.Take("width", 4L);
        bool first = PyOps.Truthy(a.Take("first", false)), blank = PyOps.Truthy(a.Take("blank", false));
        a.End();
        if (v is Undefined u) throw u.Error();
        if (v is not string text) throw new TemplateError($"unsupported operand type(s) for +=: '{PyText.TypeName(v)}' and 'str'"); // indent appends "\n" first
        string indention = width is string w ? w : new string(' ', (int)Math.Clamp(PyNumber.AsLong(width), 0, it.Limits.MaxOutputChars));
        var lines = StringMethods.Lines(text + "\n");
        PyOps.CheckLength(lines.Sum(l => (double)l.Length + 1 + indention.Length), it.Limits.MaxOutputChars);
        string rv = blank
            ? string.Join("\n" + indention, lines)
            : lines[0] + (lines.Count > 1 ? "\n" + string.Join("\n", lines.Skip(1).Select(l => l.Length > 0 ? indention + l : l)) : "");
        return first ? indention + rv : rv;
    }

    static object? Round(Interpreter it, object? v, Args a)
    {
        var precision = a.Take("precision", 0L);
        var method = a.Take("method", "common");
        a.End();
        if (method is not ("common" or "ceil" or "floor")) throw new TemplateError("method must be common, ceil or floor");
        if (v is Undefined) throw new TemplateError("type Undefined doesn't define __round__ method");
        return PyNumber.Round(v, PyNumber.AsLong(precision), (string)method);
    }

    static object? ToJson(Interpreter it, object? v, Args a)
    {
        bool ensureAscii = PyOps.Truthy(a.Take("ensure_ascii", false));
        var indent = a.Take("indent");
        var separators = a.Take("separators");
        bool sortKeys = PyOps.Truthy(a.Take("sort_keys", false));
        a.End();
        string? indentText = indent switch
        {
            null => null,
            string s => s,
            bool or long => new string(' ', (int)Math.Clamp(PyNumber.AsLong(indent), 0, 1000)),
            _ => throw new TemplateError($"indent must be an integer or a string, not {PyText.TypeName(indent)}"),
        };
        var (itemSep, keySep) = separators switch
        {
            null => (indentText is null ? ", " : ",", ": "),
            PyList { Count: 2 } p when p[0] is string x && p[1] is string y => (x, y),
            _ => throw new TemplateError("separators must be an (item_separator, key_separator) pair of strings"),
        };
        return new PyJson(ensureAscii, indentText, itemSep, keySep, sortKeys).Dumps(v, it.Limits.MaxOutputChars);
    }

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex TitleSplitRegex();

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordRegex();
}
