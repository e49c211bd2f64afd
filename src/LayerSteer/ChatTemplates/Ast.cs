namespace LayerSteer.ChatTemplates;

// The syntax tree of a template. Every node keeps its 1-based source line for error messages.

internal abstract record Expr(int Line);

internal sealed record Const(object? Value, int Line) : Expr(Line);
internal sealed record NameRef(string Name, int Line) : Expr(Line);
/// <summary>x.name: the attribute first, then the item (jinja2's getattr).</summary>
internal sealed record GetAttr(Expr Target, string Name, int Line) : Expr(Line);
/// <summary>x[key]: the item first, then the attribute (jinja2's getitem).</summary>
internal sealed record GetItem(Expr Target, Expr Key, int Line) : Expr(Line);
internal sealed record SliceExpr(Expr? Start, Expr? Stop, Expr? Step, int Line) : Expr(Line);
internal sealed record CallArgs(IReadOnlyList<Expr> Positional, IReadOnlyList<KeyValuePair<string, Expr>> Named, Expr? Star, Expr? DoubleStar)
{
    public static readonly CallArgs Empty = new([], [], null, null);
}
internal sealed record CallExpr(Expr Callee, CallArgs Args, int Line) : Expr(Line);
internal sealed record FilterExpr(Expr Value, string Name, CallArgs Args, int Line) : Expr(Line);
internal sealed record TestExpr(Expr Value, string Name, CallArgs Args, int Line) : Expr(Line);
/// <summary>"-", "+" or "not".</summary>
internal sealed record UnaryExpr(string Op, Expr Operand, int Line) : Expr(Line);
/// <summary>Arithmetic (+ - * / // % **) and the short-circuit "and" / "or".</summary>
internal sealed record BinaryExpr(string Op, Expr Left, Expr Right, int Line) : Expr(Line);
/// <summary>A Python comparison chain a &lt; b == c; ops are == != &lt; &lt;= &gt; &gt;= in notin.</summary>
internal sealed record CompareExpr(Expr First, IReadOnlyList<KeyValuePair<string, Expr>> Rest, int Line) : Expr(Line);
/// <summary>a ~ b ~ c: the str() of each, joined.</summary>
internal sealed record ConcatExpr(IReadOnlyList<Expr> Parts, int Line) : Expr(Line);
/// <summary>then if test else otherwise; a missing else gives Undefined.</summary>
internal sealed record CondExpr(Expr Test, Expr Then, Expr? Else, int Line) : Expr(Line);
internal sealed record ListExpr(IReadOnlyList<Expr> Items, bool IsTuple, int Line) : Expr(Line);
internal sealed record DictExpr(IReadOnlyList<KeyValuePair<Expr, Expr>> Items, int Line) : Expr(Line);

/// <summary>What set/for/with assign to: a name, a tuple of targets, or ns.attr.</summary>
internal abstract record Target(int Line);
internal sealed record NameTarget(string Name, int Line) : Target(Line);
internal sealed record TupleTarget(IReadOnlyList<Target> Items, int Line) : Target(Line);
internal sealed record AttrTarget(string Namespace, string Attribute, int Line) : Target(Line);

internal abstract record Stmt(int Line);

internal sealed record TextStmt(string Text, int Line) : Stmt(Line);
internal sealed record OutputStmt(Expr Value, int Line) : Stmt(Line);
internal sealed record IfStmt(IReadOnlyList<KeyValuePair<Expr, IReadOnlyList<Stmt>>> Branches, IReadOnlyList<Stmt> Else, int Line) : Stmt(Line);
internal sealed record ForStmt(Target Target, Expr Iterable, Expr? Filter, IReadOnlyList<Stmt> Body, IReadOnlyList<Stmt> Else, int Line) : Stmt(Line);
internal sealed record SetStmt(Target Target, Expr Value, int Line) : Stmt(Line);
/// <summary>{% set x | filters %}body{% endset %}: x = the rendered body, filtered.</summary>
internal sealed record SetBlockStmt(Target Target, IReadOnlyList<FilterExpr> Filters, IReadOnlyList<Stmt> Body, int Line) : Stmt(Line);
/// <summary>A macro; <see cref="Uses"/> says whether the body reads varargs / kwargs / caller (jinja2 only accepts extra arguments then).</summary>
internal sealed record MacroStmt(string Name, IReadOnlyList<KeyValuePair<string, Expr?>> Parameters, IReadOnlyList<Stmt> Body, MacroUses Uses, int Line) : Stmt(Line);
internal sealed record MacroUses(bool Varargs, bool Kwargs, bool Caller);
/// <summary>{% call(params) macro(args) %}body{% endcall %}: calls the macro with caller = the body as a macro.</summary>
internal sealed record CallBlockStmt(CallExpr Call, MacroStmt Caller, int Line) : Stmt(Line);
/// <summary>{% filter f | g %}body{% endfilter %}; the filters' Value is a placeholder for the rendered body.</summary>
internal sealed record FilterBlockStmt(IReadOnlyList<FilterExpr> Filters, IReadOnlyList<Stmt> Body, int Line) : Stmt(Line);
internal sealed record WithStmt(IReadOnlyList<KeyValuePair<Target, Expr>> Assignments, IReadOnlyList<Stmt> Body, int Line) : Stmt(Line);
internal sealed record BreakStmt(int Line) : Stmt(Line);
internal sealed record ContinueStmt(int Line) : Stmt(Line);
