using System.Runtime.CompilerServices;

namespace LayerSteer.ChatTemplates;

/// <summary>Builds the syntax tree from the lexer's tokens with jinja2's grammar and operator precedence
/// (statements here, expressions in Parser.Expressions.cs).</summary>
internal sealed partial class Parser
{
    /// <summary>Deepest nesting of blocks and parenthesised expressions accepted, so a hostile template cannot overflow the stack.</summary>
    public const int MaxNesting = 100;

    readonly List<Token> tokens;
    int pos, nesting, loops;
    readonly Stack<(string Tag, int Line)> open = new();
    readonly Stack<HashSet<string>> macroNames = new();

    Parser(List<Token> tokens) => this.tokens = tokens;

    public static IReadOnlyList<Stmt> Parse(string source)
    {
        var parser = new Parser(Lexer.Tokenize(source));
        var body = parser.Subparse([]);
        if (parser.Current.Kind != TokenKind.Eof) throw parser.UnknownTag(parser.Current);
        NameCheck.Run(body);
        return body;
    }

    Token Current => tokens[pos];
    Token Peek => tokens[Math.Min(pos + 1, tokens.Count - 1)];
    Token Advance() => tokens[pos++];

    Token Expect(TokenKind kind, string? text = null)
    {
        var t = Current;
        if (t.Kind != kind || (text is not null && t.Text != text))
            throw new TemplateError($"expected {Describe(kind, text)}, got {Describe(t)}", t.Line);
        return Advance();
    }

    bool SkipIf(TokenKind kind, string text)
    {
        if (!Current.Is(kind, text)) return false;
        pos++;
        return true;
    }

    static string Describe(TokenKind kind, string? text) => text is not null ? $"'{text}'" : kind switch
    {
        TokenKind.BlockEnd => "'%}'",
        TokenKind.VariableEnd => "'}}'",
        TokenKind.Name => "a name",
        _ => kind.ToString().ToLowerInvariant(),
    };

    static string Describe(Token t) => t.Kind switch
    {
        TokenKind.Eof => "end of template",
        TokenKind.Data => "template text",
        TokenKind.String => "a string",
        _ => $"'{t.Text}'",
    };

    void Enter(int line)
    {
        if (++nesting > MaxNesting) throw new TemplateError($"the template nests blocks or expressions more than {MaxNesting} deep (limit)", line);
        RuntimeHelpers.EnsureSufficientExecutionStack();
    }

    void Leave() => nesting--;

    // Statements and text up to (not including) a {% tag %} whose name is in endTags, or the end of the template.
    List<Stmt> Subparse(string[] endTags)
    {
        var body = new List<Stmt>();
        while (true)
        {
            var t = Current;
            switch (t.Kind)
            {
                case TokenKind.Eof: return body;
                case TokenKind.Data: body.Add(new TextStmt(t.Text, t.Line)); pos++; break;
                case TokenKind.VariableBegin:
                    pos++;
                    body.Add(new OutputStmt(ParseTuple(), t.Line));
                    Expect(TokenKind.VariableEnd);
                    break;
                case TokenKind.BlockBegin:
                    pos++;
                    if (Current.Kind == TokenKind.Name && endTags.Contains(Current.Text)) return body;
                    if (ParseStatement() is { } stmt) body.Add(stmt);
                    Expect(TokenKind.BlockEnd);
                    break;
                default: throw new TemplateError($"unexpected {Describe(t)}", t.Line);
            }
        }
    }

    // The body of a block statement: "%}" then statements up to one of endTags, whose name is left current.
    List<Stmt> Body(string tag, int line, params string[] endTags)
    {
        Expect(TokenKind.BlockEnd);
        open.Push((tag, line));
        Enter(line);
        var body = Subparse(endTags);
        Leave();
        open.Pop();
        if (Current.Kind == TokenKind.Eof)
            throw new TemplateError($"unexpected end of template: the '{tag}' block opened on line {line} is not closed (expected {string.Join(" or ", endTags.Select(e => $"'{e}'"))})", Current.Line);
        return body;
    }

    // Body + consume the closing tag's name.
    List<Stmt> BodyTo(string tag, int line, string endTag)
    {
        var body = Body(tag, line, endTag);
        pos++;
        return body;
    }

    TemplateError UnknownTag(Token t)
    {
        string where = open.Count > 0 ? $" (inside the '{open.Peek().Tag}' block opened on line {open.Peek().Line})" : "";
        return new TemplateError($"unknown or misplaced tag '{t.Text}'{where}", t.Line);
    }

    Stmt? ParseStatement()
    {
        var t = Current;
        if (t.Kind != TokenKind.Name) throw new TemplateError($"tag name expected, got {Describe(t)}", t.Line);
        switch (t.Text)
        {
            case "if": pos++; return ParseIf(t.Line);
            case "for": pos++; return ParseFor(t.Line);
            case "set": pos++; return ParseSet(t.Line);
            case "macro": pos++; return ParseMacro(t.Line);
            case "call": pos++; return ParseCallBlock(t.Line);
            case "filter": pos++; return new FilterBlockStmt(ParseFilterChain(), BodyTo("filter", t.Line, "endfilter"), t.Line);
            case "with": pos++; return ParseWith(t.Line);
            case "print": pos++; return new OutputStmt(ParseTuple(), t.Line);
            // transformers' {% generation %} marks assistant text for masks; it renders its body in a scope of its own.
            case "generation": pos++; return new WithStmt([], BodyTo("generation", t.Line, "endgeneration"), t.Line);
            case "break" or "continue":
                if (loops == 0) throw new TemplateError($"'{t.Text}' outside a loop", t.Line);
                pos++;
                return t.Text == "break" ? new BreakStmt(t.Line) : new ContinueStmt(t.Line);
            case "extends" or "include" or "import" or "from" or "block" or "autoescape":
                throw new TemplateError($"the '{t.Text}' tag is not supported in chat templates", t.Line);
            default: throw UnknownTag(t);
        }
    }

    IfStmt ParseIf(int line)
    {
        var branches = new List<KeyValuePair<Expr, IReadOnlyList<Stmt>>>();
        IReadOnlyList<Stmt> otherwise = [];
        while (true)
        {
            var test = ParseTuple(withCondExpr: false);
            var body = Body("if", line, "elif", "else", "endif");
            branches.Add(new(test, body));
            string tag = Advance().Text;
            if (tag == "elif") continue;
            if (tag == "else") otherwise = BodyTo("if", line, "endif");
            break;
        }
        return new IfStmt(branches, otherwise, line);
    }

    ForStmt ParseFor(int line)
    {
        var target = ParseTarget(withNamespace: false, endName: "in");
        Expect(TokenKind.Name, "in");
        var iterable = ParseTuple(withCondExpr: false, endName: "recursive");
        Expr? filter = SkipIf(TokenKind.Name, "if") ? ParseExpression() : null;
        if (Current.IsName("recursive")) throw new TemplateError("recursive for loops are not supported", Current.Line);
        loops++;
        var body = Body("for", line, "endfor", "else");
        loops--;
        IReadOnlyList<Stmt> otherwise = Advance().Text == "else" ? BodyTo("for", line, "endfor") : [];
        return new ForStmt(target, iterable, filter, body, otherwise, line);
    }

    Stmt ParseSet(int line)
    {
        var target = ParseTarget(withNamespace: true);
        if (SkipIf(TokenKind.Operator, "=")) return new SetStmt(target, ParseTuple(), line);
        var filters = Current.IsOp("|") ? ParseFilterChain(skipFirstPipe: true) : [];
        return new SetBlockStmt(target, filters, BodyTo("set", line, "endset"), line);
    }

    MacroStmt ParseMacro(int line)
    {
        string name = Expect(TokenKind.Name).Text;
        return ParseMacroRest(name, line, "macro", "endmacro", withSignature: true);
    }

    // The signature and body of a macro (or of a call block's caller); loops outside do not extend into it.
    MacroStmt ParseMacroRest(string name, int line, string tag, string endTag, bool withSignature)
    {
        var parameters = withSignature ? ParseSignature() : [];
        macroNames.Push([]);
        int outerLoops = loops;
        loops = 0;
        var body = BodyTo(tag, line, endTag);
        loops = outerLoops;
        var names = macroNames.Pop();
        return new MacroStmt(name, parameters, body, new MacroUses(names.Contains("varargs"), names.Contains("kwargs"), names.Contains("caller")), line);
    }

    List<KeyValuePair<string, Expr?>> ParseSignature()
    {
        var parameters = new List<KeyValuePair<string, Expr?>>();
        Expect(TokenKind.Operator, "(");
        while (!Current.IsOp(")"))
        {
            if (parameters.Count > 0) Expect(TokenKind.Operator, ",");
            var nameToken = Expect(TokenKind.Name);
            Expr? fallback = null;
            if (SkipIf(TokenKind.Operator, "=")) fallback = ParseExpression();
            else if (parameters.Any(p => p.Value is not null))
                throw new TemplateError("non-default argument follows default argument", nameToken.Line);
            parameters.Add(new(nameToken.Text, fallback));
        }
        Expect(TokenKind.Operator, ")");
        return parameters;
    }

    CallBlockStmt ParseCallBlock(int line)
    {
        var parameters = Current.IsOp("(") ? ParseSignature() : [];
        if (ParseExpression() is not CallExpr call) throw new TemplateError("{% call %} expects a macro call", line);
        var caller = ParseMacroRest("caller", line, "call", "endcall", withSignature: false);
        return new CallBlockStmt(call, caller with { Parameters = parameters }, line);
    }

    WithStmt ParseWith(int line)
    {
        var assignments = new List<KeyValuePair<Target, Expr>>();
        while (Current.Kind != TokenKind.BlockEnd)
        {
            if (assignments.Count > 0) Expect(TokenKind.Operator, ",");
            var target = ParseTarget(withNamespace: false);
            Expect(TokenKind.Operator, "=");
            assignments.Add(new(target, ParseExpression()));
        }
        return new WithStmt(assignments, BodyTo("with", line, "endwith"), line);
    }

    // A name, ns.attr (set only) or a comma-separated tuple of names (for k, v in …).
    Target ParseTarget(bool withNamespace, string? endName = null)
    {
        int line = Current.Line;
        var (items, tuple) = CommaSeparated(() => ParseTargetItem(withNamespace), endName);
        if (items.Count == 0) throw new TemplateError($"expected an assignment target, got {Describe(Current)}", line);
        return tuple ? new TupleTarget(items, line) : items[0];
    }

    Target ParseTargetItem(bool withNamespace)
    {
        var t = Current;
        if (t.Kind == TokenKind.Operator && t.Text == "(")
        {
            pos++;
            var inner = ParseTarget(withNamespace);
            Expect(TokenKind.Operator, ")");
            return inner;
        }
        if (t.Kind != TokenKind.Name || t.Text is "true" or "false" or "True" or "False" or "none" or "None")
            throw new TemplateError($"cannot assign to {Describe(t)}", t.Line);
        pos++;
        if (withNamespace && SkipIf(TokenKind.Operator, "."))
            return new AttrTarget(t.Text, Expect(TokenKind.Name).Text, t.Line);
        return new NameTarget(t.Text, t.Line);
    }
}
