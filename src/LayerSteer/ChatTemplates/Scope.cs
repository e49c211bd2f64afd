namespace LayerSteer.ChatTemplates;

/// <summary>Variables of one jinja2 frame; lookups fall back to the enclosing frames. A for-loop iteration, a macro
/// call and {% with %} open a frame, {% if %} does not — so `set` inside a loop is gone after it, as in jinja2.</summary>
internal sealed class Scope(Scope? parent)
{
    readonly Scope? parent = parent;
    readonly Dictionary<string, object?> vars = [];

    public bool TryGet(string name, out object? value)
    {
        for (var s = this; s is not null; s = s.parent)
            if (s.vars.TryGetValue(name, out value)) return true;
        value = null;
        return false;
    }

    public object? Get(string name) => TryGet(name, out var v) ? v : Undefined.Name(name);

    public void Set(string name, object? value) => vars[name] = value;
}
