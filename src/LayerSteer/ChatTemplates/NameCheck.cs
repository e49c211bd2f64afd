namespace LayerSteer.ChatTemplates;

/// <summary>jinja2's compile-time check of filter and test names: an unknown one is an error when the template is
/// loaded, unless it sits in an {% if %} or an inline if of the same frame (then it fails only if it runs).
/// Loop, macro, call, filter, set-block and with bodies are frames of their own, so they are checked again.</summary>
internal static class NameCheck
{
    public static void Run(IReadOnlyList<Stmt> body) => Block(body, soft: false);

    static void Block(IReadOnlyList<Stmt> body, bool soft)
    {
        foreach (var stmt in body) Statement(stmt, soft);
    }

    static void Statement(Stmt stmt, bool soft)
    {
        switch (stmt)
        {
            case OutputStmt o: Expression(o.Value, soft); break;
            case IfStmt i:
                foreach (var (test, branch) in i.Branches) { Expression(test, true); Block(branch, true); }
                Block(i.Else, true);
                break;
            case ForStmt f:
                Expression(f.Iterable, soft);
                if (f.Filter is not null) Expression(f.Filter, false);
                Block(f.Body, false);
                Block(f.Else, false);
                break;
            case SetStmt s: Expression(s.Value, soft); break;
            case SetBlockStmt s: Block(s.Body, false); Chain(s.Filters); break;
            case MacroStmt m:
                foreach (var (_, fallback) in m.Parameters) if (fallback is not null) Expression(fallback, false);
                Block(m.Body, false);
                break;
            case CallBlockStmt c: Expression(c.Call, soft); Statement(c.Caller, soft); break;
            case FilterBlockStmt f: Block(f.Body, false); Chain(f.Filters); break;
            case WithStmt w:
                foreach (var (_, value) in w.Assignments) Expression(value, soft);
                Block(w.Body, false);
                break;
        }
    }

    static void Chain(IReadOnlyList<FilterExpr> filters)
    {
        foreach (var f in filters) Expression(f, false);
    }

    static void Expression(Expr? e, bool soft)
    {
        switch (e)
        {
            case GetAttr g: Expression(g.Target, soft); break;
            case GetItem g: Expression(g.Target, soft); Expression(g.Key, soft); break;
            case SliceExpr s: Expression(s.Start, soft); Expression(s.Stop, soft); Expression(s.Step, soft); break;
            case CallExpr c: Expression(c.Callee, soft); Arguments(c.Args, soft); break;
            case FilterExpr f:
                if (!soft && !Filters.Exists(f.Name)) throw new TemplateError($"no filter named '{f.Name}'", f.Line);
                Expression(f.Value, soft);
                Arguments(f.Args, soft);
                break;
            case TestExpr t:
                if (!soft && !TestFunctions.Exists(t.Name)) throw new TemplateError($"no test named '{t.Name}'", t.Line);
                Expression(t.Value, soft);
                Arguments(t.Args, soft);
                break;
            case UnaryExpr u: Expression(u.Operand, soft); break;
            case BinaryExpr b: Expression(b.Left, soft); Expression(b.Right, soft); break;
            case CompareExpr c:
                Expression(c.First, soft);
                foreach (var (_, right) in c.Rest) Expression(right, soft);
                break;
            case ConcatExpr c: foreach (var part in c.Parts) Expression(part, soft); break;
            case CondExpr c: Expression(c.Test, true); Expression(c.Then, true); Expression(c.Else, true); break;
            case ListExpr l: foreach (var item in l.Items) Expression(item, soft); break;
            case DictExpr d:
                foreach (var (k, v) in d.Items) { Expression(k, soft); Expression(v, soft); }
                break;
        }
    }

    static void Arguments(CallArgs args, bool soft)
    {
        foreach (var p in args.Positional) Expression(p, soft);
        foreach (var (_, v) in args.Named) Expression(v, soft);
        Expression(args.Star, soft);
        Expression(args.DoubleStar, soft);
    }
}
