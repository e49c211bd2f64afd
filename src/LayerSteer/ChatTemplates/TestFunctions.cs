namespace LayerSteer.ChatTemplates;

/// <summary>jinja2's tests (`x is defined`, `x is string`, `x is divisibleby 3` …) with Python's type rules.</summary>
internal static class TestFunctions
{
    delegate bool Test(Interpreter it, object? value, Args args);

    static readonly Dictionary<string, Test> All = new()
    {
        ["boolean"] = (_, v, a) => End(a, v is bool),
        ["callable"] = (_, v, a) => End(a, v is PyCallable or Undefined), // Undefined defines __call__ (to fail), so callable() says yes
        ["defined"] = (_, v, a) => End(a, v is not Undefined),
        ["undefined"] = (_, v, a) => End(a, v is Undefined),
        ["divisibleby"] = (it, v, a) => Binary(a, "num", n => PyOps.Equal(PyOps.Arithmetic("%", v, n, it.Limits.MaxOutputChars), 0L)),
        ["even"] = (it, v, a) => End(a, PyOps.Equal(PyOps.Arithmetic("%", v, 2L, 0), 0L)),
        ["odd"] = (it, v, a) => End(a, PyOps.Equal(PyOps.Arithmetic("%", v, 2L, 0), 1L)),
        ["false"] = (_, v, a) => End(a, v is false),
        ["true"] = (_, v, a) => End(a, v is true),
        ["float"] = (_, v, a) => End(a, v is double),
        ["integer"] = (_, v, a) => End(a, v is long),
        ["number"] = (_, v, a) => End(a, PyNumber.IsNumber(v)),
        ["string"] = (_, v, a) => End(a, v is string),
        ["mapping"] = (_, v, a) => End(a, v is PyDict),
        ["iterable"] = (_, v, a) => End(a, PyOps.IsIterable(v)),
        // len() and indexing both work: str, list, tuple, dict (and Undefined, whose len is 0).
        ["sequence"] = (_, v, a) => End(a, v is string or PyList or PyDict or Undefined),
        ["none"] = (_, v, a) => End(a, v is null),
        ["lower"] = (_, v, a) => End(a, PyText.Str(v) is var s && s.Any(char.IsLower) && !s.Any(char.IsUpper)),
        ["upper"] = (_, v, a) => End(a, PyText.Str(v) is var s && s.Any(char.IsUpper) && !s.Any(char.IsLower)),
        ["sameas"] = (_, v, a) => Binary(a, "other", o => v is null ? o is null : v is bool or long ? o is bool or long && PyOps.Equal(v, o) && v.GetType() == o.GetType() : ReferenceEquals(v, o)),
        ["escaped"] = (_, v, a) => End(a, false), // no value here carries markupsafe's __html__
        ["filter"] = (_, v, a) => End(a, v is string s && Filters.Exists(s)),
        ["test"] = (_, v, a) => End(a, v is string s && All!.ContainsKey(s)),
        ["in"] = (_, v, a) => Binary(a, "seq", seq => PyOps.Contains(seq, v)),
        ["eq"] = Equal, ["equalto"] = Equal, ["=="] = Equal,
        ["ne"] = (_, v, a) => Binary(a, "other", o => !PyOps.Equal(v, o)),
        ["!="] = (_, v, a) => Binary(a, "other", o => !PyOps.Equal(v, o)),
        ["lt"] = Order("<"), ["lessthan"] = Order("<"), ["<"] = Order("<"),
        ["le"] = Order("<="), ["<="] = Order("<="),
        ["gt"] = Order(">"), ["greaterthan"] = Order(">"), [">"] = Order(">"),
        ["ge"] = Order(">="), [">="] = Order(">="),
    };

    public static bool Exists(string name) => All.ContainsKey(name);

    public static bool Apply(Interpreter it, string name, object? value, Args args)
    {
        if (!All.TryGetValue(name, out var test)) throw new TemplateError($"no test named '{name}'");
        return test(it, value, args.For(name));
    }

    static bool End(Args a, bool result)
    {
        a.End();
        return result;
    }

    static bool Binary(Args a, string name, Func<object?, bool> test)
    {
        var other = a.Require(name);
        a.End();
        return test(other);
    }

    static bool Equal(Interpreter it, object? v, Args a) => Binary(a, "other", o => PyOps.Equal(v, o));

    static Test Order(string op) => (_, v, a) => Binary(a, "other", o => PyOps.Ordered(v, o, op));
}
