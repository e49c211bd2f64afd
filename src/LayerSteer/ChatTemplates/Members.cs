namespace LayerSteer.ChatTemplates;

/// <summary>x.name and x[key] as jinja2's immutable sandbox resolves them, and the str / dict / list methods templates call.</summary>
internal static class Members
{
    // ImmutableSandboxedEnvironment refuses the methods that change a list or dict.
    static readonly HashSet<string> ListMutators = ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"];
    static readonly HashSet<string> DictMutators = ["clear", "pop", "popitem", "setdefault", "update"];

    /// <summary>x.name: the attribute, else the item x["name"], else Undefined.</summary>
    public static object? GetAttr(object? obj, string name)
    {
        if (obj is Undefined u) throw u.Error();
        if (Attribute(obj, name, out var value)) return value;
        if (obj is PyDict d && d.TryGet(name, out var item)) return item;
        return Missing(obj, name);
    }

    /// <summary>x[key]: the item, else (for a string key) the attribute, else Undefined.</summary>
    public static object? GetItem(object? obj, object? key)
    {
        if (obj is Undefined u) throw u.Error();
        switch (obj)
        {
            case PyDict d when IsHashable(key) && d.TryGet(key, out var item): return item;
            case PyList or string when key is long or bool:
                if (PyOps.TryIndex(obj, key is bool b ? (b ? 1 : 0) : (long)key, out var element)) return element;
                return new Undefined($"{TypeLabel(obj)} has no element {PyText.Repr(key)}");
        }
        if (key is string name && Attribute(obj, name, out var value)) return value;
        return key is string s ? Missing(obj, s) : new Undefined($"{TypeLabel(obj)} has no element {PyText.Repr(key)}");
    }

    static bool IsHashable(object? key) => key is not (PyList { IsTuple: false } or PyDict);

    static Undefined Missing(object? obj, string name) => obj is null
        ? new Undefined($"'None' has no attribute '{name}'")
        : new Undefined($"'{TypeLabel(obj)}' has no attribute '{name}'");

    static string TypeLabel(object? obj) => obj is null ? "None" : $"{PyText.TypeName(obj)} object";

    static Undefined Unsafe(object? obj, string name) => new($"access to attribute '{name}' of '{PyText.TypeName(obj)}' object is unsafe.");

    /// <summary>The attribute alone, never the item (the attr filter); Undefined when there is none.</summary>
    public static object? AttributeOnly(object? obj, string name)
    {
        if (obj is Undefined u) throw u.Error();
        return Attribute(obj, name, out var value) ? value : Missing(obj, name);
    }

    static bool Attribute(object? obj, string name, out object? value)
    {
        value = null;
        if (name.StartsWith('_')) { value = Unsafe(obj, name); return true; }
        switch (obj)
        {
            case string s: value = StringMethods.Bind(s, name); break;
            case PyDict d when DictMutators.Contains(name): value = Unsafe(obj, name); break;
            case PyDict d: value = DictMethod(d, name); break;
            case PyList l when ListMutators.Contains(name) && !l.IsTuple: value = Unsafe(obj, name); break;
            case PyList l: value = ListMethod(l, name); break;
            case Namespace ns: return ns.Attributes.TryGetValue(name, out value);
            case LoopContext loop: return loop.TryGet(name, out value);
        }
        return value is not null;
    }

    static Builtin? DictMethod(PyDict d, string name) => name switch
    {
        "get" => new Builtin("dict.get", (_, a) =>
        {
            var key = a.Require("key");
            var fallback = a.Take("default");
            a.End();
            return IsHashable(key) && d.TryGet(key, out var v) ? v : fallback;
        }),
        "items" => new Builtin("dict.items", (_, a) => { a.End(); return new PyList(d.Items.Select(p => (object?)Pair(p.Key, p.Value))); }),
        "keys" => new Builtin("dict.keys", (_, a) => { a.End(); return new PyList(d.PyKeys); }),
        "values" => new Builtin("dict.values", (_, a) => { a.End(); return new PyList(d.Values); }),
        _ => null,
    };

    public static PyList Pair(object? a, object? b) => new([a, b], isTuple: true);

    static Builtin? ListMethod(PyList l, string name) => name switch
    {
        "index" => new Builtin("list.index", (_, a) =>
        {
            var x = a.Require("value");
            a.End();
            int i = PyOps.IndexOf(l, x);
            return i >= 0 ? (long)i : throw new TemplateError($"{PyText.Repr(x)} is not in list");
        }),
        "count" => new Builtin("list.count", (_, a) =>
        {
            var x = a.Require("value");
            a.End();
            return (long)l.Count(y => PyOps.Equal(x, y));
        }),
        _ => null,
    };

    /// <summary>jinja2's attribute paths ("a.b.0") for map / selectattr / sort / join …: items first, digit parts as indexes.</summary>
    public static object? AttrPath(object? item, object? path)
    {
        if (path is null) return item;
        if (path is not string s) return GetItem(item, path);
        foreach (string part in s.Split('.'))
            item = GetItem(item, part.Length > 0 && part.All(char.IsAsciiDigit) && long.TryParse(part, out long index) ? index : part);
        return item;
    }
}
