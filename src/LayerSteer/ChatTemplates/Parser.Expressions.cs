namespace LayerSteer.ChatTemplates;

// Expressions, lowest precedence first, as jinja2 parses them: a if c else b; or; and; not; comparisons and in;
// + -; ~; * / // %; **; unary - +; then primaries with .attr [item] (call), filters |f and tests `is t`.
internal sealed partial class Parser
{
    static readonly HashSet<string> CompareOps = ["==", "!=", "<", "<=", ">", ">="];

    // expr, expr, … (a tuple when there is a comma), as {{ }}, set and for accept.
    Expr ParseTuple(bool withCondExpr = true, string? endName = null, bool explicitParentheses = false)
    {
        int line = Current.Line;
        var (items, tuple) = CommaSeparated(() => withCondExpr ? ParseExpression() : ParseOr(), endName);
        if (!tuple)
        {
            if (items.Count == 1) return items[0];
            if (!explicitParentheses) throw new TemplateError($"expected an expression, got {Describe(Current)}", Current.Line);
        }
        return new ListExpr(items, IsTuple: true, line);
    }

    // item, item, … up to %}, }}, ) or the name endName (a trailing comma allowed); Tuple says a comma was seen.
    (List<T> Items, bool Tuple) CommaSeparated<T>(Func<T> item, string? endName)
    {
        var items = new List<T>();
        bool tuple = false;
        while (true)
        {
            if (items.Count > 0) Expect(TokenKind.Operator, ",");
            if (Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd || Current.IsOp(")") || (endName is not null && Current.IsName(endName))) break;
            items.Add(item());
            if (!Current.IsOp(",")) break;
            tuple = true;
        }
        return (items, tuple);
    }

    Expr ParseExpression()
    {
        Enter(Current.Line);
        int line = Current.Line;
        var expr = ParseOr();
        while (SkipIf(TokenKind.Name, "if"))
        {
            var test = ParseOr();
            Expr? otherwise = SkipIf(TokenKind.Name, "else") ? ParseExpression() : null;
            expr = new CondExpr(test, expr, otherwise, line);
        }
        Leave();
        return expr;
    }

    Expr ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or")) { int line = Advance().Line; left = new BinaryExpr("or", left, ParseAnd(), line); }
        return left;
    }

    Expr ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and")) { int line = Advance().Line; left = new BinaryExpr("and", left, ParseNot(), line); }
        return left;
    }

    Expr ParseNot()
    {
        if (!Current.IsName("not")) return ParseCompare();
        int line = Advance().Line;
        Enter(line);
        var operand = ParseNot();
        Leave();
        return new UnaryExpr("not", operand, line);
    }

    Expr ParseCompare()
    {
        int line = Current.Line;
        var first = ParseMath1();
        var rest = new List<KeyValuePair<string, Expr>>();
        while (true)
        {
            if (Current.Kind == TokenKind.Operator && CompareOps.Contains(Current.Text)) rest.Add(new(Advance().Text, ParseMath1()));
            else if (SkipIf(TokenKind.Name, "in")) rest.Add(new("in", ParseMath1()));
            else if (Current.IsName("not") && Peek.IsName("in")) { pos += 2; rest.Add(new("notin", ParseMath1())); }
            else break;
        }
        return rest.Count == 0 ? first : new CompareExpr(first, rest, line);
    }

    Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Current.IsOp("+") || Current.IsOp("-")) { var op = Advance(); left = new BinaryExpr(op.Text, left, ParseConcat(), op.Line); }
        return left;
    }

    Expr ParseConcat()
    {
        int line = Current.Line;
        var parts = new List<Expr> { ParseMath2() };
        while (SkipIf(TokenKind.Operator, "~")) parts.Add(ParseMath2());
        return parts.Count == 1 ? parts[0] : new ConcatExpr(parts, line);
    }

    Expr ParseMath2()
    {
        var left = ParsePow();
        while (Current.Kind == TokenKind.Operator && Current.Text is "*" or "/" or "//" or "%")
        {
            var op = Advance();
            left = new BinaryExpr(op.Text, left, ParsePow(), op.Line);
        }
        return left;
    }

    Expr ParsePow()
    {
        var left = ParseUnary();
        while (Current.IsOp("**")) { var op = Advance(); left = new BinaryExpr("**", left, ParseUnary(), op.Line); }
        return left;
    }

    // jinja2: the operand of unary -/+ takes no filters, so -x|abs is (-x)|abs.
    Expr ParseUnary(bool withFilters = true)
    {
        var t = Current;
        Enter(t.Line);
        Expr node;
        if (t.IsOp("-") || t.IsOp("+"))
        {
            pos++;
            node = new UnaryExpr(t.Text, ParseUnary(withFilters: false), t.Line);
        }
        else node = ParsePrimary();
        node = ParsePostfix(node);
        if (withFilters) node = ParseFilterAndTests(node);
        Leave();
        return node;
    }

    Expr ParsePrimary()
    {
        var t = Advance();
        switch (t.Kind)
        {
            case TokenKind.Name:
                switch (t.Text)
                {
                    case "true" or "True": return new Const(true, t.Line);
                    case "false" or "False": return new Const(false, t.Line);
                    case "none" or "None": return new Const(null, t.Line);
                }
                if (macroNames.Count > 0) macroNames.Peek().Add(t.Text);
                return new NameRef(t.Text, t.Line);
            case TokenKind.String:
                string s = (string)t.Value!;
                while (Current.Kind == TokenKind.String) s += (string)Advance().Value!; // "a" "b" is "ab"
                return new Const(s, t.Line);
            case TokenKind.Integer or TokenKind.Float: return new Const(t.Value, t.Line);
            case TokenKind.Operator when t.Text == "(":
                var inner = ParseTuple(explicitParentheses: true);
                Expect(TokenKind.Operator, ")");
                return inner;
            case TokenKind.Operator when t.Text == "[": return ParseList(t.Line);
            case TokenKind.Operator when t.Text == "{": return ParseDict(t.Line);
        }
        throw new TemplateError($"unexpected {Describe(t)}", t.Line);
    }

    ListExpr ParseList(int line)
    {
        var items = new List<Expr>();
        while (!Current.IsOp("]"))
        {
            if (items.Count > 0) Expect(TokenKind.Operator, ",");
            if (Current.IsOp("]")) break;
            items.Add(ParseExpression());
        }
        Expect(TokenKind.Operator, "]");
        return new ListExpr(items, IsTuple: false, line);
    }

    DictExpr ParseDict(int line)
    {
        var items = new List<KeyValuePair<Expr, Expr>>();
        while (!Current.IsOp("}"))
        {
            if (items.Count > 0) Expect(TokenKind.Operator, ",");
            if (Current.IsOp("}")) break;
            var key = ParseExpression();
            Expect(TokenKind.Operator, ":");
            items.Add(new(key, ParseExpression()));
        }
        Expect(TokenKind.Operator, "}");
        return new DictExpr(items, line);
    }

    Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            if (Current.IsOp(".") || Current.IsOp("[")) node = ParseSubscript(node);
            else if (Current.IsOp("(")) { int line = Current.Line; node = new CallExpr(node, ParseCallArgs(), line); }
            else return node;
        }
    }

    Expr ParseFilterAndTests(Expr node)
    {
        while (true)
        {
            if (Current.IsOp("|")) node = ParseFilter(node, Advance().Line);
            else if (Current.IsName("is")) node = ParseTest(node);
            else if (Current.IsOp("(")) { int line = Current.Line; node = new CallExpr(node, ParseCallArgs(), line); }
            else return node;
        }
    }

    Expr ParseSubscript(Expr node)
    {
        var t = Advance();
        if (t.Text == ".")
        {
            var attr = Advance();
            if (attr.Kind == TokenKind.Name) return new GetAttr(node, attr.Text, t.Line);
            if (attr.Kind == TokenKind.Integer) return new GetItem(node, new Const(attr.Value, attr.Line), t.Line);
            throw new TemplateError($"expected a name or number after '.', got {Describe(attr)}", attr.Line);
        }
        var keys = new List<Expr>();
        while (!Current.IsOp("]"))
        {
            if (keys.Count > 0) Expect(TokenKind.Operator, ",");
            keys.Add(ParseSubscribed());
        }
        Expect(TokenKind.Operator, "]");
        if (keys.Count == 0) throw new TemplateError("expected a subscript expression", t.Line);
        return new GetItem(node, keys.Count == 1 ? keys[0] : new ListExpr(keys, IsTuple: true, t.Line), t.Line);
    }

    // An index or a slice start:stop:step with any part left out.
    Expr ParseSubscribed()
    {
        int line = Current.Line;
        Expr? start = null;
        if (!Current.IsOp(":"))
        {
            start = ParseExpression();
            if (!Current.IsOp(":")) return start;
        }
        pos++;
        Expr? stop = Current.IsOp(":") || Current.IsOp("]") || Current.IsOp(",") ? null : ParseExpression();
        Expr? step = null;
        if (SkipIf(TokenKind.Operator, ":") && !Current.IsOp("]") && !Current.IsOp(",")) step = ParseExpression();
        return new SliceExpr(start, stop, step, line);
    }

    CallArgs ParseCallArgs()
    {
        int line = Expect(TokenKind.Operator, "(").Line;
        var positional = new List<Expr>();
        var named = new List<KeyValuePair<string, Expr>>();
        Expr? star = null, doubleStar = null;
        void Ensure(bool ok) { if (!ok) throw new TemplateError("invalid syntax for function call expression", line); }
        while (!Current.IsOp(")"))
        {
            if (positional.Count + named.Count > 0 || star is not null || doubleStar is not null)
            {
                Expect(TokenKind.Operator, ",");
                if (Current.IsOp(")")) break;
            }
            if (SkipIf(TokenKind.Operator, "*")) { Ensure(star is null && doubleStar is null); star = ParseExpression(); }
            else if (SkipIf(TokenKind.Operator, "**")) { Ensure(doubleStar is null); doubleStar = ParseExpression(); }
            else if (Current.Kind == TokenKind.Name && Peek.IsOp("="))
            {
                Ensure(doubleStar is null);
                string key = Advance().Text;
                pos++;
                named.Add(new(key, ParseExpression()));
            }
            else
            {
                Ensure(star is null && doubleStar is null && named.Count == 0);
                positional.Add(ParseExpression());
            }
        }
        Expect(TokenKind.Operator, ")");
        return new CallArgs(positional, named, star, doubleStar);
    }

    string DottedName()
    {
        string name = Expect(TokenKind.Name).Text;
        while (SkipIf(TokenKind.Operator, ".")) name += "." + Expect(TokenKind.Name).Text;
        return name;
    }

    Expr ParseFilter(Expr node, int line)
    {
        string name = DottedName();
        var args = Current.IsOp("(") ? ParseCallArgs() : CallArgs.Empty;
        return new FilterExpr(node, name, args, line);
    }

    // The filters of {% filter f|g %} and {% set x | f %}, applied to a body later.
    List<FilterExpr> ParseFilterChain(bool skipFirstPipe = false)
    {
        var filters = new List<FilterExpr>();
        if (skipFirstPipe) Expect(TokenKind.Operator, "|");
        do
        {
            int line = Current.Line;
            filters.Add((FilterExpr)ParseFilter(new Const(null, line), line));
        } while (SkipIf(TokenKind.Operator, "|"));
        return filters;
    }

    Expr ParseTest(Expr node)
    {
        int line = Advance().Line;
        bool negated = SkipIf(TokenKind.Name, "not");
        string name = DottedName();
        CallArgs args = CallArgs.Empty;
        if (Current.IsOp("(")) args = ParseCallArgs();
        else if ((Current.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float || Current.IsOp("[") || Current.IsOp("{"))
                 && !Current.IsName("else") && !Current.IsName("or") && !Current.IsName("and"))
        {
            if (Current.IsName("is")) throw new TemplateError("tests cannot be chained with 'is'", Current.Line);
            args = new CallArgs([ParsePostfix(ParsePrimary())], [], null, null);
        }
        Expr test = new TestExpr(node, name, args, line);
        return negated ? new UnaryExpr("not", test, line) : test;
    }
}
