namespace LayerSteer.ChatTemplates;

/// <summary>The `loop` variable of a for loop: one object per loop, advanced each iteration as jinja2's LoopContext is.</summary>
internal sealed class LoopContext(IReadOnlyList<object?> items)
{
    object? lastChanged = Unset;
    static readonly object Unset = new();

    public int Index0 { get; set; }
    public int Length => items.Count;

    static readonly HashSet<string> Names = ["index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0", "previtem", "nextitem", "cycle", "changed"];

    public bool TryGet(string name, out object? value)
    {
        value = Names.Contains(name) ? Get(name) : null;
        return Names.Contains(name);
    }

    object? Get(string name)
    {
        int n = items.Count;
        return name switch
        {
            "index" => (long)Index0 + 1,
            "index0" => (long)Index0,
            "revindex" => (long)(n - Index0),
            "revindex0" => (long)(n - Index0 - 1),
            "first" => Index0 == 0,
            "last" => Index0 == n - 1,
            "length" => (long)n,
            "depth" => 1L,
            "depth0" => 0L,
            "previtem" => Index0 > 0 ? items[Index0 - 1] : new Undefined("there is no previous item"),
            "nextitem" => Index0 < n - 1 ? items[Index0 + 1] : new Undefined("there is no next item"),
            "cycle" => new Builtin("loop.cycle", (_, a) =>
            {
                var options = a.Rest();
                a.End();
                if (options.Count == 0) throw new TemplateError("no items for cycling given");
                return options[Index0 % options.Count];
            }),
            "changed" => new Builtin("loop.changed", (_, a) =>
            {
                var now = new PyList(a.Rest());
                a.End();
                if (lastChanged is PyList last && PyOps.Equal(last, now)) return false;
                lastChanged = now;
                return true;
            }),
            _ => null,
        };
    }
}
