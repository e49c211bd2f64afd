using System.Text;

namespace LayerSteer.Tokenizers;

/// <summary>The lines of a UTF-8 text file (merges.txt, JSONL), numbered from 1; a line that is not UTF-8 is an error naming it.</summary>
internal static class Utf8Lines
{
    static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Streams the lines (no BOM, no line ends); memory stays one line, whatever the file's size.</summary>
    public static IEnumerable<(int Number, string Text)> Read(string path)
    {
        if (!File.Exists(path)) throw LayerSteerException.InFile(path, "file not found");
        // Read as Latin-1 (one char per byte, so never a decoding error, and newline bytes never occur inside a UTF-8
        // sequence), then decode each line strictly: an invalid byte is reported on its own line, not where a
        // buffered UTF-8 reader happened to meet it.
        using var reader = Open(path);
        for (int n = 1; ; n++)
        {
            string? raw;
            try { raw = reader.ReadLine(); }
            catch (IOException e) { throw LayerSteerException.InFile(path, $"cannot be read ({e.Message})"); }
            if (raw is null) yield break;
            string line;
            try { line = Strict.GetString(Encoding.Latin1.GetBytes(raw)); }
            catch (DecoderFallbackException) { throw LayerSteerException.InFile(path, $"line {n} is not valid UTF-8"); }
            yield return (n, n == 1 ? line.TrimStart('\uFEFF') : line);
        }
    }

    static StreamReader Open(string path)
    {
        try { return new StreamReader(path, Encoding.Latin1, detectEncodingFromByteOrderMarks: false); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw LayerSteerException.InFile(path, $"cannot be read ({e.Message})"); }
    }
}
