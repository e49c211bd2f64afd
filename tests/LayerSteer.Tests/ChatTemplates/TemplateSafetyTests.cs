using System.Diagnostics;
using LayerSteer.ChatTemplates;

namespace LayerSteer.Tests.ChatTemplates;

/// <summary>Errors name the template and line; hostile templates stop quickly with an error instead of hanging or exhausting memory.</summary>
public class TemplateSafetyTests
{
    static string Render(string template, TemplateLimits? limits = null) =>
        Template.Parse(template, "t.jinja").Render(new Dictionary<string, object?>(), limits ?? TemplateLimits.Default, TimeProvider.System);

    static LayerSteerException Fails(string template, TemplateLimits? limits = null) =>
        Assert.Throws<LayerSteerException>(() => Render(template, limits));

    public static TheoryData<string, string> ErrorsOnLineThree => new()
    {
        { "a\nb\n{{ x.y }}", "'x' is undefined" },
        { "a\n{% if true %}\n{{ raise_exception('bad roles') }}{% endif %}", "the template raised an error: bad roles" },
        { "a\nb\n{% frobnicate %}", "unknown or misplaced tag 'frobnicate'" },
        { "a\nb\n{{ 'unclosed }}", "unterminated string literal" },
        { "a\nb\n{{ 1 + }}", "unexpected '}}'" },
        { "a\nb\n{{ 'a'|nosuch }}", "no filter named 'nosuch'" },
        { "{% set ms = [{'content': 'x'}] %}\n{% for m in ms %}\n{{ m.content + 1 }}{% endfor %}", "can only concatenate str (not \"int\") to str" },
        { "x\n{% for i in [1] %}\n{% endif %}", "unknown or misplaced tag 'endif' (inside the 'for' block opened on line 2)" },
        { "x\n{% macro m(a) %}{% endmacro %}\n{{ m(1, 2) }}", "macro 'm' takes not more than 1 argument(s)" },
        { "x\ny\n{# never closed", "missing end of comment tag" },
    };

    [Theory]
    [MemberData(nameof(ErrorsOnLineThree))]
    public void Errors_name_the_source_and_line(string template, string problem)
    {
        var e = Fails(template);
        Assert.StartsWith("t.jinja, line 3: ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void An_unclosed_block_names_the_line_that_opened_it()
    {
        var e = Fails("a\n{% for x in [1] %}\nbody\n");
        Assert.Contains("the 'for' block opened on line 2 is not closed (expected 'endfor' or 'else')", e.Message);
    }

    // Without the limits these run for hours; with them well under a second on an idle core (the bound allows a loaded machine).
    static void Quickly(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        Assert.True(watch.Elapsed.TotalSeconds < 30, $"took {watch.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void A_billion_iterations_stop_quickly()
    {
        Quickly(() => Assert.Contains("Range too big", Fails("{% for i in range(1000000000) %}x{% endfor %}").Message));
        Quickly(() => Assert.Contains("loop iterations and calls (limit)",
            Fails("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}").Message));
        Quickly(() => Assert.Contains("loop iterations and calls (limit)",
            Fails("{% for i in range(100000) %}{% for j in range(100000) if j > i %}{% endfor %}{% endfor %}").Message));
    }

    [Fact]
    public void Runaway_recursion_stops_at_the_call_depth()
    {
        Quickly(() => Assert.Contains("macro calls nested more than 100 deep", Fails("{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}").Message));
        // Two calls per level: depth alone would allow 2^90 calls; calls count as steps, so the step budget stops it.
        Quickly(() => Assert.Contains("more than 20000 loop iterations and calls (limit)",
            Fails("{% macro m(n) %}{% if n < 90 %}{{ m(n + 1) }}{{ m(n + 1) }}{% endif %}{% endmacro %}{{ m(0) }}", TemplateLimits.Default with { MaxSteps = 20_000 }).Message));
    }

    [Fact]
    public void Growing_values_stop_at_the_size_limits()
    {
        Quickly(() => Assert.Contains("size limit of", Fails("{{ 'a' * 1000000000000 }}").Message));
        Quickly(() => Assert.Contains("size limit of", Fails("{{ [1, 2] * 1000000000000 }}").Message));
        Quickly(() => Assert.Contains("(limit)",
            Fails("{% set ns = namespace(s='x') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}").Message));
        Quickly(() => Assert.Contains("(limit)",
            Fails("{% set ns = namespace(s=['x']) %}{% for i in range(100) %}{% set ns.s = ns.s + ns.s %}{% endfor %}").Message));
        Quickly(() => Assert.Contains("the output is longer than",
            Fails("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}").Message));
        Quickly(() => Assert.Contains("size limit of", Fails("{{ ('x' * 1000000)|replace('x', 'yy' * 100) }}").Message));
        Quickly(() => Assert.Contains("size limit of", Fails("{{ range(100000)|map('string')|join('x' * 1000) }}").Message));
    }

    [Fact]
    public void Repeated_scans_of_big_values_stop_at_the_work_limit()
    {
        Quickly(() => Assert.Contains("units of work (limit)",
            Fails("{% set big = range(100000)|list %}{% for i in range(100000) %}{% if -1 in big %}{% endif %}{% endfor %}").Message));
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        string deep = new string('(', 5000) + "1" + new string(')', 5000);
        Assert.Contains("nests blocks or expressions more than", Fails("{{ " + deep + " }}").Message);
        Assert.Contains("nests blocks or expressions more than", Fails(string.Concat(Enumerable.Repeat("{% if true %}", 5000))).Message);
        Assert.Contains("nests blocks or expressions more than", Fails("{{ " + string.Concat(Enumerable.Repeat("not ", 5000)) + "x }}").Message);
        Assert.Contains("nested more than 200 deep",
            Fails("{% set ns = namespace(x=[]) %}{% for i in range(1000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x }}").Message);
        Assert.Contains("nested more than 200 deep",
            Fails("{% set ns = namespace(x=[]) %}{% for i in range(1000) %}{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x|tojson }}").Message);
    }

    public static TheoryData<string> OddInputs => new()
    {
        "{{ '%99999999999d' % 1 }}",
        "{{ '%.*s' % (-1, 'abc') }}{{ '%c' % 55296 }}{{ x.y }}",
        "{{ (-9223372036854775807 - 1)|abs }}",
        "{{ 9223372036854775807 + 1 }}",
        "{{ 99999999999999999999 }}",
        "{{ [{'a': 1}]|map(attribute='99999999999999999999999')|list }}{{ x.y }}",
        "{% set ns = namespace(t=()) %}{% for i in range(1000) %}{% set ns.t = (ns.t,) %}{% endfor %}{{ {ns.t: 1} }}",
        "{% set ns = namespace(t=[]) %}{% for i in range(1000) %}{% set ns.t = [ns.t] %}{% endfor %}{{ ns.t == ns.t }}",
        "{{ [[1], 'a']|sort }}",
        "{{ '\\N{BULLET}' }}",
        "{{ '\\x4' }}",
        "{{ (1e999)|int }}",
        "{{ range(1, 9223372036854775807, 9223372036854775807)|list }}{{ x.y }}",
    };

    [Theory]
    [MemberData(nameof(OddInputs))]
    public void Odd_inputs_give_a_layersteer_exception_and_nothing_else(string template) => Fails(template);

    [Fact]
    public void Limits_can_be_lowered()
    {
        var tight = new TemplateLimits(MaxOutputChars: 10, MaxSteps: 5, MaxWork: 1000, MaxCallDepth: 2);
        Assert.Equal("0123", Render("{% for i in range(4) %}{{ i }}{% endfor %}", tight));
        Assert.Contains("more than 5 loop iterations", Fails("{% for i in range(6) %}{% endfor %}", tight).Message);
        Assert.Contains("size limit of 10", Fails("{{ 'x' * 11 }}", tight).Message);
        Assert.Contains("output is longer than 10 characters", Fails("{% for i in range(3) %}{{ 'abcd' }}{% endfor %}", tight).Message);
        Assert.Contains("nested more than 2 deep", Fails("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", tight).Message);
    }
}
