namespace LayerSteer.ChatTemplates;

// Template values are plain CLR objects with Python's meaning: null = None, bool, long = int, double = float,
// string = str, and the classes below. Nothing in them is ever mutated after creation except Namespace
// attributes, as in jinja2's immutable sandbox.

/// <summary>jinja2's default Undefined: renders as "", is falsy and iterates as empty; most other uses fail with <see cref="Hint"/>.</summary>
internal sealed class Undefined(string hint)
{
    public string Hint { get; } = hint;
    public static Undefined Name(string name) => new($"'{name}' is undefined");
    public TemplateError Error() => new(Hint);
}

/// <summary>A Python list, or a tuple when <see cref="IsTuple"/>.</summary>
internal sealed class PyList(IEnumerable<object?> items, bool isTuple = false) : List<object?>(items)
{
    public bool IsTuple { get; } = isTuple;

    /// <summary>a + b without an enumerator per item (lists grow by doubling in loops).</summary>
    public static PyList Concat(PyList a, PyList b)
    {
        var list = new PyList([], a.IsTuple) { Capacity = a.Count + b.Count };
        list.AddRange(a);
        list.AddRange(b);
        return list;
    }
}

/// <summary>A Python dict: insertion-ordered, keys compared with Python equality (1 == 1.0 == True).</summary>
internal sealed class PyDict : OrderedDictionary<object, object?>
{
    // OrderedDictionary keys cannot be null, so None keys are stored as this marker.
    static readonly object NoneKey = new();

    public PyDict() : base(PyKeyComparer.Instance) { }

    public void Set(object? key, object? value) => this[Key(key)] = value;
    public bool TryGet(object? key, out object? value) => TryGetValue(Key(key), out value);
    public bool Has(object? key) => ContainsKey(Key(key));
    public IEnumerable<object?> PyKeys => Keys.Select(k => ReferenceEquals(k, NoneKey) ? null : k);
    public IEnumerable<(object? Key, object? Value)> Items => this.Select(p => (ReferenceEquals(p.Key, NoneKey) ? null : p.Key, p.Value));

    static object Key(object? key)
    {
        PyOps.Hash(key); // unhashable keys (lists, dicts) fail here, as in Python
        return key ?? NoneKey;
    }

    sealed class PyKeyComparer : IEqualityComparer<object>
    {
        public static readonly PyKeyComparer Instance = new();
        public new bool Equals(object? a, object? b) => PyOps.Equal(Unwrap(a), Unwrap(b));
        public int GetHashCode(object o) => PyOps.Hash(Unwrap(o));
        static object? Unwrap(object? o) => ReferenceEquals(o, NoneKey) ? null : o;
    }
}

/// <summary>jinja2's namespace(): the one mutable object, whose attributes `{% set ns.x = … %}` assigns across scopes.</summary>
internal sealed class Namespace
{
    public Dictionary<string, object?> Attributes { get; } = [];
}

/// <summary>Something a template can call: a global, a bound method, a macro, loop.cycle …</summary>
internal abstract class PyCallable(string name)
{
    public string Name { get; } = name;
    public abstract object? Call(Interpreter interpreter, Args args);
}

/// <summary>A callable implemented in C#.</summary>
internal sealed class Builtin(string name, Func<Interpreter, Args, object?> body) : PyCallable(name)
{
    public override object? Call(Interpreter interpreter, Args args) => body(interpreter, args);
}

/// <summary>The arguments of one call, consumed in signature order by the callee; <see cref="End"/> rejects leftovers like Python does.</summary>
internal sealed class Args(string what, IReadOnlyList<object?> positional, IReadOnlyList<KeyValuePair<string, object?>> named)
{
    int next;
    HashSet<string>? used;

    public string What { get; } = what;
    public IReadOnlyList<object?> Positional { get; } = positional;
    public IReadOnlyList<KeyValuePair<string, object?>> Named { get; } = named;

    public Args For(string callee) => new(callee, Positional, Named);

    /// <summary>The next positional argument, else the keyword argument <paramref name="name"/>, else <paramref name="fallback"/>.</summary>
    public object? Take(string name, object? fallback = null)
    {
        if (next < Positional.Count) return Positional[next++];
        foreach (var (key, value) in Named)
            if (key == name) { (used ??= []).Add(name); return value; }
        return fallback;
    }

    /// <summary>Like <see cref="Take"/> but the argument is required.</summary>
    public object? Require(string name)
    {
        if (next < Positional.Count || Named.Any(n => n.Key == name)) return Take(name);
        throw new TemplateError($"{What}() missing required argument '{name}'");
    }

    /// <summary>All positional arguments not taken yet (a *args parameter).</summary>
    public List<object?> Rest()
    {
        var rest = Positional.Skip(next).ToList();
        next = Positional.Count;
        return rest;
    }

    public void End()
    {
        if (next < Positional.Count) throw new TemplateError($"{What}() takes {next} positional argument(s) but {Positional.Count} were given");
        foreach (var (key, _) in Named)
            if (used is null || !used.Contains(key)) throw new TemplateError($"{What}() got an unexpected keyword argument '{key}'");
    }
}

/// <summary>A one-shot Python iterator (what map, select, reverse … return): truthy, has no len(), and is empty once consumed.</summary>
internal sealed class PyIterator(IEnumerable<object?> items)
{
    readonly IEnumerator<object?> source = items.GetEnumerator();

    public bool TryNext(out object? item)
    {
        bool ok = source.MoveNext();
        item = ok ? source.Current : null;
        return ok;
    }

    public List<object?> Drain()
    {
        var rest = new List<object?>();
        while (TryNext(out var item)) rest.Add(item);
        return rest;
    }
}
