using static LayerSteer.ChatTemplates.PyNumber;

namespace LayerSteer.ChatTemplates;

/// <summary>Python's operators on template values: truth, ==, ordering, arithmetic, `in`, len(), iteration, indexing and slicing.</summary>
internal static class PyOps
{
    public static bool Truthy(object? v) => v switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        PyList l => l.Count > 0,
        PyDict d => d.Count > 0,
        _ => true,
    };

    public static bool Equal(object? a, object? b, int depth = 0)
    {
        if (a is string sa) return b is string sb && sa == sb; // the common cases first: `in` scans call this per item
        if (a is long la && b is long lb) return la == lb;
        if (depth > PyText.MaxNesting) throw new TemplateError($"values nested more than {PyText.MaxNesting} deep cannot be compared (limit)");
        if (IsNumber(a) && IsNumber(b))
            return IsInt(a) && IsInt(b) ? AsLong(a) == AsLong(b) : AsDouble(a) == AsDouble(b);
        switch (a)
        {
            case null: return b is null;
            case Undefined: return b is Undefined;
            case PyList x when b is PyList y:
                if (x.IsTuple != y.IsTuple || x.Count != y.Count) return false;
                for (int i = 0; i < x.Count; i++) if (!Equal(x[i], y[i], depth + 1)) return false;
                return true;
            case PyDict x when b is PyDict y:
                if (x.Count != y.Count) return false;
                foreach (var (k, v) in x.Items)
                    if (!y.TryGet(k, out var w) || !Equal(v, w, depth + 1)) return false;
                return true;
            default: return ReferenceEquals(a, b);
        }
    }

    /// <summary>hash(v), consistent with <see cref="Equal"/>; lists and dicts are unhashable.</summary>
    public static int Hash(object? v, int depth = 0) => depth > PyText.MaxNesting
        ? throw new TemplateError($"values nested more than {PyText.MaxNesting} deep cannot be dict keys (limit)")
        : v switch
    {
        null => 0,
        bool or long => AsLong(v).GetHashCode(),
        double d => d == Math.Floor(d) && Math.Abs(d) < 9.2e18 ? ((long)d).GetHashCode() : d.GetHashCode(),
        string s => s.GetHashCode(StringComparison.Ordinal),
        PyList { IsTuple: true } t => t.Aggregate(17, (h, x) => h * 31 + Hash(x, depth + 1)),
        PyList or PyDict => throw new TemplateError($"unhashable type: '{PyText.TypeName(v)}'"),
        _ => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(v),
    };

    /// <summary>Python's &lt; &gt; &lt;= &gt;= (numbers, strings, and lists/tuples element by element).</summary>
    public static int Compare(object? a, object? b, string op)
    {
        if (a is Undefined u) throw u.Error();
        if (b is Undefined w) throw w.Error();
        if (IsNumber(a) && IsNumber(b))
            return IsInt(a) && IsInt(b) ? AsLong(a).CompareTo(AsLong(b)) : CompareDoubles(AsDouble(a), AsDouble(b));
        if (a is string s && b is string t) return Math.Sign(string.CompareOrdinal(s, t));
        if (a is PyList x && b is PyList y && x.IsTuple == y.IsTuple)
        {
            for (int i = 0; i < Math.Min(x.Count, y.Count); i++)
                if (!Equal(x[i], y[i])) return Compare(x[i], y[i], op);
            return x.Count.CompareTo(y.Count);
        }
        throw new TemplateError($"'{op}' not supported between instances of '{PyText.TypeName(a)}' and '{PyText.TypeName(b)}'");
    }

    // NaN makes every ordering false; callers only test the sign, so report "not ordered" as a value no test accepts.
    static int CompareDoubles(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? int.MinValue : a.CompareTo(b);

    public static bool Ordered(object? a, object? b, string op)
    {
        int c = Compare(a, b, op);
        if (c == int.MinValue) return false;
        return op switch { "<" => c < 0, "<=" => c <= 0, ">" => c > 0, _ => c >= 0 };
    }

    static TemplateError Unsupported(string op, object? a, object? b) =>
        new($"unsupported operand type(s) for {op}: '{PyText.TypeName(a)}' and '{PyText.TypeName(b)}'");

    static long Checked(Func<long> f)
    {
        try { return f(); }
        catch (OverflowException) { throw new TemplateError("integer overflow (templates here use 64-bit integers)"); }
    }

    public static object? Add(object? a, object? b, long maxLength)
    {
        FailIfUndefined(a, b);
        if (IsInt(a) && IsInt(b)) return Checked(() => checked(AsLong(a) + AsLong(b)));
        if (IsNumber(a) && IsNumber(b)) return AsDouble(a) + AsDouble(b);
        if (a is string s && b is string t) { CheckLength((long)s.Length + t.Length, maxLength); return s + t; }
        if (a is PyList x && b is PyList y && x.IsTuple == y.IsTuple)
        {
            CheckLength((long)x.Count + y.Count, maxLength);
            return PyList.Concat(x, y);
        }
        if (a is string) throw new TemplateError($"can only concatenate str (not \"{PyText.TypeName(b)}\") to str");
        if (a is PyList l) throw new TemplateError($"can only concatenate {PyText.TypeName(l)} (not \"{PyText.TypeName(b)}\") to {PyText.TypeName(l)}");
        throw Unsupported("+", a, b);
    }

    public static object? Arithmetic(string op, object? a, object? b, long maxLength)
    {
        FailIfUndefined(a, b);
        if (op == "*" && Repeat(a, b, maxLength) is { } repeated) return repeated;
        if (op == "%" && a is string format) return PyFormat.Format(format, b, maxLength);
        if (!IsNumber(a) || !IsNumber(b)) throw Unsupported(op, a, b);
        bool ints = IsInt(a) && IsInt(b);
        long la = ints ? AsLong(a) : 0, lb = ints ? AsLong(b) : 0;
        double da = AsDouble(a), db = AsDouble(b);
        switch (op)
        {
            case "-": return ints ? Checked(() => checked(la - lb)) : (object)(da - db);
            case "*": return ints ? Checked(() => checked(la * lb)) : (object)(da * db);
            case "/":
                if (db == 0) throw new TemplateError("division by zero");
                return da / db;
            case "//":
                if (db == 0) throw new TemplateError("integer division or modulo by zero");
                if (!ints) return Math.Floor(da / db);
                return Checked(() => { long q = checked(la / lb); return la % lb != 0 && (la < 0) != (lb < 0) ? q - 1 : q; });
            case "%":
                if (db == 0) throw new TemplateError("integer division or modulo by zero");
                if (ints) { if (lb == -1) return 0L; long r = la % lb; return r != 0 && (r < 0) != (lb < 0) ? r + lb : r; }
                double m = da % db;
                return m != 0 && (m < 0) != (db < 0) ? m + db : m;
            case "**": return Power(a, b, ints, la, lb, da, db);
        }
        throw new TemplateError($"unknown operator {op}");
    }

    static object Power(object? a, object? b, bool ints, long la, long lb, double da, double db)
    {
        if (!ints || lb < 0)
        {
            if (da == 0 && db < 0) throw new TemplateError("0.0 cannot be raised to a negative power");
            return Math.Pow(da, db);
        }
        return Checked(() =>
        {
            long result = 1, x = la;
            for (long e = lb; e > 0; e >>= 1)
            {
                if ((e & 1) != 0) result = checked(result * x);
                if (e > 1) x = checked(x * x);
            }
            return result;
        });
    }

    // str * int, list * int (either order).
    static object? Repeat(object? a, object? b, long maxLength)
    {
        if (IsInt(b) && a is string or PyList) return RepeatValue(a, AsLong(b), maxLength);
        if (IsInt(a) && b is string or PyList) return RepeatValue(b, AsLong(a), maxLength);
        return null;
    }

    static object RepeatValue(object? v, long n, long maxLength)
    {
        n = Math.Max(n, 0);
        if (v is string { Length: 0 } || v is PyList { Count: 0 }) n = 0;
        if (v is string s)
        {
            CheckLength(s.Length * (double)n, maxLength);
            return string.Concat(Enumerable.Repeat(s, (int)n));
        }
        var list = (PyList)v!;
        CheckLength(list.Count * (double)n, maxLength);
        return new PyList(Enumerable.Range(0, (int)n).SelectMany(_ => list), list.IsTuple);
    }

    public static void CheckLength(double length, long maxLength)
    {
        if (length > maxLength) throw new TemplateError($"a string or list of {length:0} characters/items would exceed the size limit of {maxLength} (limit)");
    }

    public static object? Negate(object? v) => v switch
    {
        Undefined u => throw u.Error(),
        bool or long => Checked(() => checked(-AsLong(v))),
        double d => (object)-d,
        _ => throw new TemplateError($"bad operand type for unary -: '{PyText.TypeName(v)}'"),
    };

    public static object? Plus(object? v) => v switch
    {
        Undefined u => throw u.Error(),
        bool or long => AsLong(v),
        double d => (object)d,
        _ => throw new TemplateError($"bad operand type for unary +: '{PyText.TypeName(v)}'"),
    };

    static void FailIfUndefined(object? a, object? b)
    {
        if (a is Undefined u) throw u.Error();
        if (b is Undefined w) throw w.Error();
    }

    /// <summary>`item in container`.</summary>
    public static bool Contains(object? container, object? item) => container switch
    {
        string s => item is string t ? s.Contains(t, StringComparison.Ordinal)
            : throw new TemplateError($"'in <string>' requires string as left operand, not {PyText.TypeName(item)}"),
        PyList l => IndexOf(l, item) >= 0,
        PyDict d => d.Has(item),
        Undefined => false,
        PyIterator it => ConsumeUntil(it, item),
        _ => throw new TemplateError($"argument of type '{PyText.TypeName(container)}' is not iterable"),
    };

    public static int IndexOf(PyList list, object? item)
    {
        for (int i = 0; i < list.Count; i++) if (Equal(item, list[i])) return i;
        return -1;
    }

    static bool ConsumeUntil(PyIterator it, object? item)
    {
        while (it.TryNext(out var x)) if (Equal(x, item)) return true;
        return false;
    }

    /// <summary>iter(v): the items a for loop or a filter sees (a dict gives its keys, a string its characters).</summary>
    public static IReadOnlyList<object?> Iterate(object? v) => v switch
    {
        PyList l => l,
        PyDict d => d.PyKeys.ToList(),
        string s => s.Select(c => (object?)c.ToString()).ToList(),
        PyIterator it => it.Drain(),
        Undefined => [],
        _ => throw new TemplateError($"'{PyText.TypeName(v)}' object is not iterable"),
    };

    public static bool IsIterable(object? v) => v is PyList or PyDict or string or Undefined or PyIterator;

    public static long Length(object? v) => v switch
    {
        string s => s.Length,
        PyList l => l.Count,
        PyDict d => d.Count,
        Undefined => 0,
        _ => throw new TemplateError($"object of type '{PyText.TypeName(v)}' has no len()"),
    };

    /// <summary>seq[i] with Python's negative indexes, or null when out of range.</summary>
    public static bool TryIndex(object? seq, long i, out object? item)
    {
        item = null;
        int n = seq switch { string s => s.Length, PyList l => l.Count, _ => -1 };
        if (n < 0) return false;
        if (i < 0) i += n;
        if (i < 0 || i >= n) return false;
        item = seq is string str ? str[(int)i].ToString() : ((PyList)seq!)[(int)i];
        return true;
    }

    /// <summary>seq[start:stop:step] with Python's clamping and negative steps (jinja2 slices with Python's own [], unsandboxed).</summary>
    public static object Slice(object? seq, object? start, object? stop, object? step)
    {
        int n = seq switch
        {
            string s => s.Length,
            PyList l => l.Count,
            Undefined u => throw u.Error(),
            PyDict => throw new TemplateError("unhashable type: 'slice'"),
            _ => throw new TemplateError($"'{PyText.TypeName(seq)}' object is not subscriptable"),
        };
        long st = step is null ? 1 : SliceIndex(step);
        if (st == 0) throw new TemplateError("slice step cannot be zero");
        st = Math.Clamp(st, -(long)n - 1, (long)n + 1); // a larger step picks the same items and cannot overflow below
        long lo = st > 0 ? 0 : -1, hi = st > 0 ? n : n - 1;
        long a = start is null ? (st > 0 ? lo : hi) : Clamp(SliceIndex(start), n, lo, hi);
        long b = stop is null ? (st > 0 ? hi : lo) : Clamp(SliceIndex(stop), n, lo, hi);
        var picked = new List<int>();
        for (long i = a; st > 0 ? i < b : i > b; i += st) picked.Add((int)i);
        if (seq is string str) return string.Concat(picked.Select(i => str[i]));
        var list = (PyList)seq!;
        return new PyList(picked.Select(i => list[i]), list.IsTuple);
    }

    static long Clamp(long i, int n, long lo, long hi)
    {
        if (i < 0) i += n;
        return Math.Clamp(i, lo, hi);
    }

    static long SliceIndex(object? v) => v switch
    {
        bool or long => AsLong(v),
        _ => throw new TemplateError($"slice indices must be integers or None, not {PyText.TypeName(v)}"),
    };
}
