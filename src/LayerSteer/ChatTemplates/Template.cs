using System.Text.Json;

namespace LayerSteer.ChatTemplates;

/// <summary>A parsed Jinja template rendered with jinja2's semantics as transformers configures them; errors are
/// LayerSteerExceptions naming <see cref="Source"/> and the line.</summary>
internal sealed class Template
{
    readonly IReadOnlyList<Stmt> body;

    /// <summary>Where the text came from (a file path, or "…/tokenizer_config.json chat_template").</summary>
    public string Source { get; }

    Template(IReadOnlyList<Stmt> body, string source) => (this.body, Source) = (body, source);

    public static Template Parse(string text, string source)
    {
        try { return new Template(Parser.Parse(text), source); }
        catch (TemplateError e) { throw Error(source, e.Line, e.Message); }
        catch (InsufficientExecutionStackException) { throw Error(source, 0, "the template nests too deeply"); }
    }

    public string Render(IReadOnlyDictionary<string, object?> variables, TemplateLimits limits, TimeProvider clock)
    {
        var interpreter = new Interpreter(limits);
        var scope = new Scope(Globals.Create(clock));
        foreach (var (name, value) in variables) scope.Set(name, value);
        try { return interpreter.Render(body, scope); }
        catch (TemplateError e) { throw Error(Source, e.Line > 0 ? e.Line : interpreter.Line, e.Message); }
        catch (InsufficientExecutionStackException) { throw Error(Source, interpreter.Line, "the template recursed too deeply"); }
    }

    static LayerSteerException Error(string source, int line, string message) =>
        new(line > 0 ? $"{source}, line {line}: {message}" : $"{source}: {message}");

    /// <summary>A JSON value as a template value (json.loads' types: dict, list, str, int or float, bool, None).</summary>
    public static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().Aggregate(new PyDict(), (d, p) => { d.Set(p.Name, FromJson(p.Value)); return d; }),
        JsonValueKind.Array => new PyList(e.EnumerateArray().Select(FromJson)),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => IsIntegerLiteral(e.GetRawText()) && e.TryGetInt64(out long l) ? (object)l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    static bool IsIntegerLiteral(string raw) => !raw.Contains('.') && !raw.Contains('e') && !raw.Contains('E');
}
