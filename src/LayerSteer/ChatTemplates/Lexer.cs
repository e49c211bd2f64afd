using System.Globalization;
using System.Text;

namespace LayerSteer.ChatTemplates;

internal enum TokenKind { Data, VariableBegin, VariableEnd, BlockBegin, BlockEnd, Name, String, Integer, Float, Operator, Eof }

/// <summary>One lexeme; <see cref="Value"/> holds the literal of String (string), Integer (long) and Float (double) tokens.</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Line, object? Value = null)
{
    public bool Is(TokenKind kind, string text) => Kind == kind && Text == text;
    public bool IsName(string name) => Is(TokenKind.Name, name);
    public bool IsOp(string op) => Is(TokenKind.Operator, op);
}

/// <summary>Splits template source into data and tag tokens the way jinja2's lexer does with
/// trim_blocks and lstrip_blocks on (transformers' settings), including the -/+ whitespace modifiers.</summary>
internal sealed class Lexer
{
    static readonly string[] Operators = ["**", "//", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"];

    readonly string src;
    readonly List<Token> tokens = [];
    int pos, line = 1;
    bool lineStarting = true; // the last match ended a line (or nothing was read yet): lstrip_blocks may apply

    Lexer(string source) => src = Normalize(source);

    public static List<Token> Tokenize(string source)
    {
        var lexer = new Lexer(source);
        lexer.Run();
        return lexer.tokens;
    }

    // jinja2 turns \r\n and \r into \n and drops one trailing newline (keep_trailing_newline=False).
    static string Normalize(string s)
    {
        s = s.Replace("\r\n", "\n").Replace('\r', '\n');
        return s.EndsWith('\n') ? s[..^1] : s;
    }

    void Run()
    {
        while (pos < src.Length)
        {
            int at = NextTagStart(pos);
            if (at < 0) { Emit(TokenKind.Data, src[pos..]); line += Newlines(src, pos, src.Length); break; }
            char kind = src[at + 1];
            int after = at + 2;
            char sign = after < src.Length && (src[after] == '-' || src[after] == '+') ? src[after] : '\0';
            int rawEnd = kind == '%' ? RawBeginEnd(after + (sign == '\0' ? 0 : 1)) : -1;
            EmitText(src[pos..at], sign, kind != '{');
            pos = after + (sign == '\0' ? 0 : 1);
            if (rawEnd >= 0) Raw(rawEnd);
            else if (kind == '#') Comment();
            else Tag(kind == '%');
        }
        tokens.Add(new Token(TokenKind.Eof, "", line));
    }

    int NextTagStart(int from)
    {
        for (int i = src.IndexOf('{', from); i >= 0 && i + 1 < src.Length; i = src.IndexOf('{', i + 1))
            if (src[i + 1] is '{' or '%' or '#') return i;
        return -1;
    }

    // The text before a tag: '-' strips all whitespace before it; otherwise lstrip_blocks removes the
    // spaces/tabs between the line start and a block or comment tag that starts the line.
    void EmitText(string text, char sign, bool blockOrComment)
    {
        int newlines = Newlines(text, 0, text.Length);
        if (sign == '-') text = PyText.RStrip(text);
        else if (sign != '+' && blockOrComment)
        {
            int lineStart = text.LastIndexOf('\n') + 1;
            if ((lineStart > 0 || lineStarting) && lineStart < text.Length && AllSpace(text, lineStart)) text = text[..lineStart];
        }
        Emit(TokenKind.Data, text);
        line += newlines;
    }

    static bool AllSpace(string s, int from)
    {
        for (int i = from; i < s.Length; i++) if (!PyText.IsSpace(s[i])) return false;
        return true;
    }

    void Emit(TokenKind kind, string text, object? value = null)
    {
        if (kind == TokenKind.Data && text.Length == 0) return;
        tokens.Add(new Token(kind, text, line, value));
    }

    // After "{%": the end of a "raw %}" / "raw -%}" opener, or -1 when this block is not {% raw %}.
    int RawBeginEnd(int i)
    {
        i = SkipSpace(i);
        if (!At(i, "raw")) return -1;
        i = SkipSpace(i + 3);
        if (At(i, "-%}")) return SkipSpace(i + 3);
        return At(i, "%}") ? i + 2 : -1;
    }

    void Raw(int bodyStart)
    {
        line += Newlines(src, pos, bodyStart);
        int startLine = line;
        lineStarting = src[bodyStart - 1] == '\n';
        for (int i = src.IndexOf("{%", bodyStart, StringComparison.Ordinal); i >= 0; i = src.IndexOf("{%", i + 2, StringComparison.Ordinal))
        {
            int j = i + 2;
            char sign = j < src.Length && (src[j] == '-' || src[j] == '+') ? src[j] : '\0';
            if (sign != '\0') j++;
            j = SkipSpace(j);
            if (!At(j, "endraw")) continue;
            int end = BlockEnd(SkipSpace(j + 6));
            if (end < 0) continue;
            EmitText(src[bodyStart..i], sign, true);
            line += Newlines(src, i, end);
            lineStarting = src[end - 1] == '\n';
            pos = end;
            return;
        }
        throw new TemplateError("missing end of raw directive ({% endraw %})", startLine);
    }

    void Comment()
    {
        int startLine = line;
        int close = src.IndexOf("#}", pos, StringComparison.Ordinal);
        if (close < 0) throw new TemplateError("missing end of comment tag (#})", startLine);
        char sign = close > pos && (src[close - 1] == '-' || src[close - 1] == '+') ? src[close - 1] : '\0';
        int end = close + 2;
        if (sign == '-') end = SkipSpace(end);
        else if (sign == '\0' && end < src.Length && src[end] == '\n') end++;
        line += Newlines(src, pos, end);
        lineStarting = end > 0 && src[end - 1] == '\n';
        pos = end;
    }

    // "+%}" keeps what follows, "-%}" eats the whitespace after it, "%}" eats one newline (trim_blocks).
    int BlockEnd(int i)
    {
        if (At(i, "+%}")) return i + 3;
        if (At(i, "-%}")) return SkipSpace(i + 3);
        if (At(i, "%}")) return i + 2 < src.Length && src[i + 2] == '\n' ? i + 3 : i + 2;
        return -1;
    }

    int VariableEnd(int i)
    {
        if (At(i, "-}}")) return SkipSpace(i + 3);
        return At(i, "}}") ? i + 2 : -1;
    }

    void Tag(bool block)
    {
        int startLine = line;
        Emit(block ? TokenKind.BlockBegin : TokenKind.VariableBegin, block ? "{%" : "{{");
        var open = new Stack<char>();
        while (true)
        {
            if (pos >= src.Length)
                throw new TemplateError($"unexpected end of template: the tag opened here is not closed with '{(block ? "%}" : "}}")}'", startLine);
            if (open.Count == 0 && (block ? BlockEnd(pos) : VariableEnd(pos)) is var end and >= 0)
            {
                Emit(block ? TokenKind.BlockEnd : TokenKind.VariableEnd, block ? "%}" : "}}");
                line += Newlines(src, pos, end);
                lineStarting = src[end - 1] == '\n';
                pos = end;
                return;
            }
            char c = src[pos];
            if (PyText.IsSpace(c)) { if (c == '\n') line++; pos++; continue; }
            if (char.IsAsciiDigit(c)) Number();
            else if (c == '_' || char.IsLetter(c)) Name();
            else if (c is '\'' or '"') String(c);
            else Operator(open);
        }
    }

    void Number()
    {
        int start = pos;
        if (FloatEnd(pos) is var fe and > 0 && (start == 0 || src[start - 1] != '.'))
        {
            string text = src[start..fe].Replace("_", "");
            pos = fe;
            Emit(TokenKind.Float, text, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
            return;
        }
        long value;
        if (src[pos] == '0' && pos + 1 < src.Length && char.ToLowerInvariant(src[pos + 1]) is 'x' or 'o' or 'b')
        {
            int radix = char.ToLowerInvariant(src[pos + 1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            int i = pos + 2;
            while (i < src.Length && (src[i] == '_' || DigitValue(src[i]) < radix)) i++;
            string digits = src[(pos + 2)..i].Replace("_", "");
            if (digits.Length == 0) throw new TemplateError($"invalid integer literal '{src[start..i]}'", line);
            value = 0;
            try { foreach (char d in digits) value = checked(value * radix + DigitValue(d)); }
            catch (OverflowException) { throw OutOfRange(src[start..i]); }
            pos = i;
        }
        else
        {
            int i = pos + 1;
            if (src[pos] == '0') while (i < src.Length && (src[i] == '0' || (src[i] == '_' && i + 1 < src.Length && src[i + 1] == '0'))) i++;
            else while (i < src.Length && (char.IsAsciiDigit(src[i]) || (src[i] == '_' && i + 1 < src.Length && char.IsAsciiDigit(src[i + 1])))) i++;
            string text = src[pos..i];
            if (!long.TryParse(text.Replace("_", ""), NumberStyles.None, CultureInfo.InvariantCulture, out value)) throw OutOfRange(text);
            pos = i;
        }
        Emit(TokenKind.Integer, src[start..pos], value);
    }

    TemplateError OutOfRange(string literal) => new($"integer literal {literal} is out of range (64-bit integers only)", line);

    static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => 99,
    };

    // jinja2's float_re: digits (with _ separators) then a fraction and/or an exponent; returns the end, or -1.
    int FloatEnd(int i)
    {
        i = Digits(i);
        if (i < 0) return -1;
        int fracEnd = i < src.Length && src[i] == '.' ? Digits(i + 1) : -1;
        int afterFrac = fracEnd > 0 ? fracEnd : i;
        if (afterFrac < src.Length && (src[afterFrac] == 'e' || src[afterFrac] == 'E'))
        {
            int j = afterFrac + 1;
            if (j < src.Length && (src[j] == '+' || src[j] == '-')) j++;
            int expEnd = Digits(j);
            if (expEnd > 0) return expEnd;
        }
        return fracEnd;
    }

    // (\d+_)*\d+ from i: its end, or -1.
    int Digits(int i)
    {
        if (i >= src.Length || !char.IsAsciiDigit(src[i])) return -1;
        while (i < src.Length && (char.IsAsciiDigit(src[i]) || (src[i] == '_' && i + 1 < src.Length && char.IsAsciiDigit(src[i + 1])))) i++;
        return i;
    }

    void Name()
    {
        int start = pos;
        while (pos < src.Length && (src[pos] == '_' || char.IsLetterOrDigit(src[pos]) || char.GetUnicodeCategory(src[pos]) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation)) pos++;
        Emit(TokenKind.Name, src[start..pos]);
    }

    void String(char quote)
    {
        int startLine = line, i = pos + 1;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= src.Length) throw new TemplateError("unterminated string literal", startLine);
            char c = src[i];
            if (c == quote) break;
            if (c == '\n') line++;
            if (c != '\\') { sb.Append(c); i++; continue; }
            if (i + 1 >= src.Length) throw new TemplateError("unterminated string literal", startLine);
            i = Escape(i + 1, sb);
        }
        pos = i + 1;
        string value = sb.ToString();
        tokens.Add(new Token(TokenKind.String, value, startLine, value));
    }

    // Python's unicode-escape decoding of the character(s) after a backslash at i; returns the index after them.
    int Escape(int i, StringBuilder sb)
    {
        char c = src[i];
        switch (c)
        {
            case '\n': line++; return i + 1; // a backslash-newline joins lines
            case '\\': case '\'': case '"': sb.Append(c); return i + 1;
            case 'n': sb.Append('\n'); return i + 1;
            case 't': sb.Append('\t'); return i + 1;
            case 'r': sb.Append('\r'); return i + 1;
            case 'a': sb.Append('\a'); return i + 1;
            case 'b': sb.Append('\b'); return i + 1;
            case 'f': sb.Append('\f'); return i + 1;
            case 'v': sb.Append('\v'); return i + 1;
            case 'x': return HexEscape(i + 1, 2, sb);
            case 'u': return HexEscape(i + 1, 4, sb);
            case 'U': return HexEscape(i + 1, 8, sb);
            case 'N': throw new TemplateError("\\N{...} escapes are not supported", line);
        }
        if (c is >= '0' and <= '7')
        {
            int v = 0, j = i;
            while (j < src.Length && j < i + 3 && src[j] is >= '0' and <= '7') v = v * 8 + (src[j++] - '0');
            sb.Append((char)v);
            return j;
        }
        sb.Append('\\').Append(c); // Python keeps unknown escapes as written
        return i + 1;
    }

    // \xhh, \uhhhh, \Uhhhhhhhh: exactly that many hex digits, as Python requires.
    int HexEscape(int i, int digits, StringBuilder sb)
    {
        long v = 0;
        for (int j = i; j < i + digits; j++)
        {
            if (j >= src.Length || DigitValue(src[j]) > 15) throw new TemplateError($"truncated \\{src[i - 1]} escape in a string literal", line);
            v = v * 16 + DigitValue(src[j]);
        }
        if (v > 0x10FFFF) throw new TemplateError($"illegal Unicode character in \\{src[i - 1]} escape", line);
        if (v <= 0xFFFF) sb.Append((char)v); // Python strings may hold lone surrogates; so may .NET's
        else sb.Append(char.ConvertFromUtf32((int)v));
        return i + digits;
    }

    void Operator(Stack<char> open)
    {
        string? op = Operators.FirstOrDefault(o => At(pos, o));
        if (op is null) throw new TemplateError($"unexpected character '{src[pos]}'", line);
        switch (op)
        {
            case "(": open.Push(')'); break;
            case "[": open.Push(']'); break;
            case "{": open.Push('}'); break;
            case ")" or "]" or "}":
                if (open.Count == 0) throw new TemplateError($"unexpected '{op}'", line);
                char expected = open.Pop();
                if (expected != op[0]) throw new TemplateError($"unexpected '{op}', expected '{expected}'", line);
                break;
        }
        Emit(TokenKind.Operator, op);
        pos += op.Length;
    }

    bool At(int i, string s) => i + s.Length <= src.Length && string.CompareOrdinal(src, i, s, 0, s.Length) == 0;

    int SkipSpace(int i)
    {
        while (i < src.Length && PyText.IsSpace(src[i])) i++;
        return i;
    }

    static int Newlines(string s, int from, int to)
    {
        int n = 0;
        for (int i = from; i < to; i++) if (s[i] == '\n') n++;
        return n;
    }
}
