namespace LayerSteer.ChatTemplates;

/// <summary>The names every template sees: jinja2's range / dict / namespace / joiner (range bounded as in the sandbox)
/// and transformers' raise_exception and strftime_now.</summary>
internal static class Globals
{
    /// <summary>jinja2's sandbox refuses longer ranges (MAX_RANGE).</summary>
    public const int MaxRange = 100_000;

    public static Scope Create(TimeProvider clock)
    {
        var scope = new Scope(null);
        void Add(string name, Func<Interpreter, Args, object?> body) => scope.Set(name, new Builtin(name, body));
        Add("range", (_, a) => Range(a));
        Add("dict", (_, a) => ToDict(a));
        Add("namespace", (_, a) =>
        {
            var ns = new Namespace();
            foreach (var (k, v) in ToDict(a).Items) ns.Attributes[k as string ?? throw new TemplateError("namespace() keys must be strings")] = v;
            return ns;
        });
        Add("joiner", (_, a) =>
        {
            string sep = PyText.Str(a.Take("sep", ", "));
            a.End();
            bool used = false;
            return new Builtin("joiner", (_, b) => { b.End(); if (used) return sep; used = true; return ""; });
        });
        Add("raise_exception", (_, a) =>
        {
            var message = a.Require("message");
            a.End();
            throw new TemplateError($"the template raised an error: {PyText.Str(message)}");
        });
        Add("strftime_now", (_, a) =>
        {
            var format = a.Require("format");
            a.End();
            return Strftime.Format(clock.GetLocalNow(), format as string ?? throw new TemplateError("strftime_now needs a format string"));
        });
        return scope;
    }

    static PyList Range(Args a)
    {
        var args = a.Rest();
        a.End();
        if (args.Count is < 1 or > 3) throw new TemplateError($"range expected 1 to 3 arguments, got {args.Count}");
        long[] n = args.Select(x => x is bool or long ? PyNumber.AsLong(x) : throw new TemplateError($"'{PyText.TypeName(x)}' object cannot be interpreted as an integer")).ToArray();
        long start = n.Length == 1 ? 0 : n[0], stop = n.Length == 1 ? n[0] : n[1], step = n.Length == 3 ? n[2] : 1;
        if (step == 0) throw new TemplateError("range() arg 3 must not be zero");
        double count = Math.Max(0, Math.Ceiling(((double)stop - start) / step));
        if (count > MaxRange) throw new TemplateError($"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).");
        return new PyList(Enumerable.Range(0, (int)count).Select(i => (object?)(start + i * step)));
    }

    // dict(mapping or pairs, **kwargs) / namespace(…): string keys from a mapping, an iterable of pairs, or keywords.
    static PyDict ToDict(Args a)
    {
        var d = new PyDict();
        var positional = a.Rest();
        if (positional.Count > 1) throw new TemplateError($"expected at most 1 positional argument, got {positional.Count}");
        if (positional.Count == 1)
        {
            if (positional[0] is PyDict source) foreach (var (k, v) in source.Items) d.Set(k, v);
            else foreach (var pair in PyOps.Iterate(positional[0]))
            {
                var kv = PyOps.Iterate(pair);
                if (kv.Count != 2) throw new TemplateError("dictionary update sequence element has the wrong length; 2 is required");
                d.Set(kv[0], kv[1]);
            }
        }
        foreach (var (k, v) in a.Named) d.Set(k, v);
        return d;
    }
}
