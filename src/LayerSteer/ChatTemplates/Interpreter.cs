using System.Runtime.CompilerServices;
using System.Text;

namespace LayerSteer.ChatTemplates;

/// <summary>Runs a parsed template: statements write to a StringBuilder, expressions evaluate to Python-like values.
/// Counts steps, work and call depth against <see cref="TemplateLimits"/>, and tracks the line it is at for errors.</summary>
internal sealed class Interpreter(TemplateLimits limits)
{
    enum Flow { Normal, Break, Continue }

    long steps, work;
    int callDepth;

    public TemplateLimits Limits { get; } = limits;

    /// <summary>The line of the innermost statement or expression being run; an error thrown there reports it.</summary>
    public int Line { get; private set; }

    public string Render(IReadOnlyList<Stmt> body, Scope scope)
    {
        var sb = new StringBuilder();
        Exec(body, scope, sb);
        return sb.ToString();
    }

    void Step()
    {
        if (++steps > Limits.MaxSteps) throw new TemplateError($"the template ran more than {Limits.MaxSteps} loop iterations and calls (limit)");
    }

    // Work is counted in characters and items touched, so repeated scans of big values hit MaxWork.
    void Charge(object? v) => ChargeUnits(v switch { string s => s.Length, PyList l => l.Count, PyDict d => d.Count, _ => 1 });

    void ChargeUnits(long units)
    {
        work += units;
        if (work > Limits.MaxWork) throw new TemplateError($"the template did more than {Limits.MaxWork} units of work (limit)");
    }

    void Write(StringBuilder sb, string s)
    {
        Charge(s);
        if (sb.Length + (long)s.Length > Limits.MaxOutputChars) throw new TemplateError($"the output is longer than {Limits.MaxOutputChars} characters (limit)");
        sb.Append(s);
    }

    Flow Exec(IReadOnlyList<Stmt> body, Scope scope, StringBuilder sb)
    {
        foreach (var stmt in body)
        {
            Line = stmt.Line;
            var flow = ExecOne(stmt, scope, sb);
            if (flow != Flow.Normal) return flow;
        }
        return Flow.Normal;
    }

    Flow ExecOne(Stmt stmt, Scope scope, StringBuilder sb)
    {
        switch (stmt)
        {
            case TextStmt t: Write(sb, t.Text); break;
            case OutputStmt o: Write(sb, PyText.Str(Eval(o.Value, scope), Limits.MaxOutputChars)); break;
            case IfStmt i:
                foreach (var (test, branch) in i.Branches)
                    if (PyOps.Truthy(Eval(test, scope))) return Exec(branch, scope, sb);
                return Exec(i.Else, scope, sb);
            case ForStmt f: return For(f, scope, sb);
            case SetStmt s: Assign(s.Target, Eval(s.Value, scope), scope); break;
            case SetBlockStmt s: Assign(s.Target, ApplyFilters(s.Filters, RenderBody(s.Body, new Scope(scope)), scope), scope); break;
            case MacroStmt m: scope.Set(m.Name, new Macro(m, scope)); break;
            case CallBlockStmt c:
                var callee = Eval(c.Call.Callee, scope);
                var args = EvalArgs(c.Call.Args, scope, "call");
                Write(sb, PyText.Str(Call(callee, new Args(args.What, args.Positional, [.. args.Named, new("caller", new Macro(c.Caller, scope))])), Limits.MaxOutputChars));
                break;
            case FilterBlockStmt fb: Write(sb, PyText.Str(ApplyFilters(fb.Filters, RenderBody(fb.Body, scope), scope), Limits.MaxOutputChars)); break;
            case WithStmt w:
                var inner = new Scope(scope);
                var values = w.Assignments.Select(a => Eval(a.Value, scope)).ToList();
                for (int k = 0; k < values.Count; k++) Assign(w.Assignments[k].Key, values[k], inner);
                return Exec(w.Body, inner, sb);
            case BreakStmt: return Flow.Break;
            case ContinueStmt: return Flow.Continue;
            default: throw new TemplateError($"unknown statement {stmt.GetType().Name}");
        }
        return Flow.Normal;
    }

    string RenderBody(IReadOnlyList<Stmt> body, Scope scope)
    {
        var sb = new StringBuilder();
        Exec(body, scope, sb);
        return sb.ToString();
    }

    object? ApplyFilters(IReadOnlyList<FilterExpr> filters, object? value, Scope scope)
    {
        foreach (var f in filters)
        {
            Line = f.Line;
            value = Filters.Apply(this, f.Name, value, EvalArgs(f.Args, scope, f.Name));
        }
        return value;
    }

    Flow For(ForStmt f, Scope scope, StringBuilder sb)
    {
        var iterable = Eval(f.Iterable, scope);
        IReadOnlyList<object?> items = PyOps.Iterate(iterable);
        ChargeUnits(items.Count);
        if (f.Filter is not null)
        {
            // `for x in xs if cond`: cond sees x but not this loop's `loop`; loop.length counts what passes.
            var kept = new List<object?>();
            foreach (var item in items)
            {
                Step();
                var probe = new Scope(scope);
                Assign(f.Target, item, probe);
                if (PyOps.Truthy(Eval(f.Filter, probe))) kept.Add(item);
            }
            items = kept;
        }
        if (items.Count == 0) return Exec(f.Else, scope, sb);
        var loop = new LoopContext(items);
        for (int i = 0; i < items.Count; i++)
        {
            Step();
            Line = f.Line;
            loop.Index0 = i;
            var iteration = new Scope(scope);
            Assign(f.Target, items[i], iteration);
            iteration.Set("loop", loop);
            if (Exec(f.Body, iteration, sb) == Flow.Break) break;
        }
        return Flow.Normal;
    }

    void Assign(Target target, object? value, Scope scope)
    {
        switch (target)
        {
            case NameTarget n: scope.Set(n.Name, value); break;
            case AttrTarget a:
                if (scope.Get(a.Namespace) is not Namespace ns)
                    throw new TemplateError($"cannot assign attribute on non-namespace object '{a.Namespace}'", a.Line);
                ns.Attributes[a.Attribute] = value;
                break;
            case TupleTarget t:
                var items = PyOps.Iterate(value);
                if (items.Count != t.Items.Count)
                    throw new TemplateError(items.Count > t.Items.Count
                        ? $"too many values to unpack (expected {t.Items.Count})"
                        : $"not enough values to unpack (expected {t.Items.Count}, got {items.Count})", t.Line);
                for (int i = 0; i < items.Count; i++) Assign(t.Items[i], items[i], scope);
                break;
        }
    }

    public object? Eval(Expr e, Scope scope)
    {
        int outer = Line;
        Line = e.Line;
        var value = EvalCore(e, scope);
        Line = outer;
        return value;
    }

    object? EvalCore(Expr e, Scope scope)
    {
        switch (e)
        {
            case Const c: return c.Value;
            case NameRef n: return scope.Get(n.Name);
            case GetAttr g: return Members.GetAttr(Eval(g.Target, scope), g.Name);
            case GetItem g:
                var target = Eval(g.Target, scope);
                if (g.Key is SliceExpr s)
                {
                    var sliced = PyOps.Slice(target, Opt(s.Start, scope), Opt(s.Stop, scope), Opt(s.Step, scope));
                    Charge(sliced);
                    return sliced;
                }
                return Members.GetItem(target, Eval(g.Key, scope));
            case CallExpr c:
                var callee = Eval(c.Callee, scope);
                return Charged(Call(callee, EvalArgs(c.Args, scope, callee is PyCallable fn ? fn.Name : "call")));
            case FilterExpr f:
                var input = Eval(f.Value, scope);
                Charge(input);
                return Charged(Filters.Apply(this, f.Name, input, EvalArgs(f.Args, scope, f.Name)));
            case TestExpr t:
                var subject = Eval(t.Value, scope);
                Charge(subject);
                return TestFunctions.Apply(this, t.Name, subject, EvalArgs(t.Args, scope, t.Name));
            case UnaryExpr u:
                var operand = Eval(u.Operand, scope);
                return u.Op switch { "not" => !PyOps.Truthy(operand), "-" => PyOps.Negate(operand), _ => PyOps.Plus(operand) };
            case BinaryExpr b: return Binary(b, scope);
            case CompareExpr c: return Compare(c, scope);
            case ConcatExpr c:
                var parts = c.Parts.Select(p => PyText.Str(Eval(p, scope), Limits.MaxOutputChars)).ToList();
                return Charged(StringMethods.JoinChecked("", parts, Limits.MaxOutputChars));
            case CondExpr c:
                if (PyOps.Truthy(Eval(c.Test, scope))) return Eval(c.Then, scope);
                return c.Else is null ? new Undefined($"the inline if-expression on line {c.Line} evaluated to false and no else section was defined.") : Eval(c.Else, scope);
            case ListExpr l: return Charged(new PyList(l.Items.Select(x => Eval(x, scope)), l.IsTuple));
            case DictExpr d:
                var dict = new PyDict();
                foreach (var (k, v) in d.Items) dict.Set(Eval(k, scope), Eval(v, scope));
                return Charged(dict);
            case SliceExpr: throw new TemplateError("a slice is only allowed inside [ ]");
        }
        throw new TemplateError($"unknown expression {e.GetType().Name}");
    }

    object? Opt(Expr? e, Scope scope) => e is null ? null : Eval(e, scope);

    object? Charged(object? v)
    {
        Charge(v);
        return v;
    }

    object? Binary(BinaryExpr b, Scope scope)
    {
        var left = Eval(b.Left, scope);
        switch (b.Op)
        {
            case "and": return PyOps.Truthy(left) ? Eval(b.Right, scope) : left;
            case "or": return PyOps.Truthy(left) ? left : Eval(b.Right, scope);
        }
        var right = Eval(b.Right, scope);
        Charge(left);
        Charge(right);
        return Charged(b.Op == "+" ? PyOps.Add(left, right, Limits.MaxOutputChars) : PyOps.Arithmetic(b.Op, left, right, Limits.MaxOutputChars));
    }

    bool Compare(CompareExpr c, Scope scope)
    {
        var left = Eval(c.First, scope);
        foreach (var (op, rightExpr) in c.Rest)
        {
            var right = Eval(rightExpr, scope);
            Charge(left);
            Charge(right);
            bool ok = op switch
            {
                "==" => PyOps.Equal(left, right),
                "!=" => !PyOps.Equal(left, right),
                "in" => PyOps.Contains(right, left),
                "notin" => !PyOps.Contains(right, left),
                _ => PyOps.Ordered(left, right, op),
            };
            if (!ok) return false;
            left = right;
        }
        return true;
    }

    Args EvalArgs(CallArgs args, Scope scope, string what)
    {
        if (args.Positional.Count == 0 && args.Named.Count == 0 && args.Star is null && args.DoubleStar is null) return new Args(what, [], []);
        var positional = args.Positional.Select(p => Eval(p, scope)).ToList();
        var named = args.Named.Select(n => new KeyValuePair<string, object?>(n.Key, Eval(n.Value, scope))).ToList();
        if (args.Star is not null) positional.AddRange(PyOps.Iterate(Eval(args.Star, scope)));
        if (args.DoubleStar is not null)
        {
            if (Eval(args.DoubleStar, scope) is not PyDict kw) throw new TemplateError("argument after ** must be a mapping");
            foreach (var (k, v) in kw.Items) named.Add(new(k as string ?? throw new TemplateError("keywords must be strings"), v));
        }
        return new Args(what, positional, named);
    }

    object? Call(object? callee, Args args)
    {
        if (callee is Undefined u) throw u.Error();
        if (callee is not PyCallable f) throw new TemplateError($"'{PyText.TypeName(callee)}' object is not callable");
        Step();
        return f.Call(this, args);
    }

    /// <summary>Runs a macro body in a frame of its own, binding arguments as jinja2 does.</summary>
    public string CallMacro(MacroStmt m, Scope closure, Args args)
    {
        if (++callDepth > Limits.MaxCallDepth) throw new TemplateError($"macro calls nested more than {Limits.MaxCallDepth} deep (limit; runaway recursion?)");
        RuntimeHelpers.EnsureSufficientExecutionStack();
        int line = Line;
        var frame = new Scope(closure);
        var named = new Dictionary<string, object?>();
        foreach (var (k, v) in args.Named)
            if (!named.TryAdd(k, v)) throw new TemplateError($"macro '{m.Name}' got multiple values for keyword argument '{k}'");
        for (int i = 0; i < m.Parameters.Count; i++)
        {
            var (name, fallback) = m.Parameters[i];
            bool byName = named.Remove(name, out var value);
            if (i < args.Positional.Count)
            {
                if (byName) throw new TemplateError($"macro '{m.Name}' got multiple values for argument '{name}'");
                value = args.Positional[i];
            }
            else if (!byName) value = fallback is null ? new Undefined($"parameter '{name}' was not provided") : Eval(fallback, frame);
            frame.Set(name, value);
        }
        int extra = args.Positional.Count - m.Parameters.Count;
        if (extra > 0 && !m.Uses.Varargs) throw new TemplateError($"macro '{m.Name}' takes not more than {m.Parameters.Count} argument(s)");
        if (m.Uses.Varargs) frame.Set("varargs", new PyList(args.Positional.Skip(m.Parameters.Count), isTuple: true));
        if (m.Uses.Caller) frame.Set("caller", named.Remove("caller", out var caller) ? caller : new Undefined("No caller defined"));
        if (named.Count > 0 && !m.Uses.Kwargs)
            throw new TemplateError(named.ContainsKey("caller")
                ? $"macro '{m.Name}' was invoked with two values for the special caller argument (it never calls caller())"
                : $"macro '{m.Name}' takes no keyword argument '{named.Keys.First()}'");
        if (m.Uses.Kwargs)
        {
            var kwargs = new PyDict();
            foreach (var (k, v) in named) kwargs.Set(k, v);
            frame.Set("kwargs", kwargs);
        }
        string result = RenderBody(m.Body, frame);
        callDepth--;
        Line = line;
        return result;
    }
}

/// <summary>A macro value: its definition and the frame it was defined in (names resolve there when it runs).</summary>
internal sealed class Macro(MacroStmt definition, Scope closure) : PyCallable(definition.Name)
{
    public override object? Call(Interpreter interpreter, Args args) => interpreter.CallMacro(definition, closure, args);
}
