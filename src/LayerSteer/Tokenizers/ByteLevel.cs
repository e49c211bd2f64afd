using System.Buffers;
using System.Text;

namespace LayerSteer.Tokenizers;

/// <summary>GPT-2's reversible byte ↔ printable-char map, so every byte string is spelled in visible vocabulary characters.</summary>
public static class ByteLevel
{
    /// <summary>The vocabulary character of each byte ('Ġ' for a space, 'Ċ' for a newline).</summary>
    public static readonly char[] ByteToChar = BuildMap();
    static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, b)).ToDictionary(p => p.c, p => (byte)p.b);

    // Printable Latin-1 bytes keep their own character; the rest are shifted to U+0100.. in byte order.
    static char[] BuildMap()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    /// <summary>The UTF-8 bytes of <paramref name="text"/>, each spelled as its vocabulary character.</summary>
    public static string Encode(ReadOnlySpan<char> text)
    {
        int n = Encoding.UTF8.GetByteCount(text);
        byte[] rented = ArrayPool<byte>.Shared.Rent(n);
        try
        {
            Encoding.UTF8.GetBytes(text, rented);
            return string.Create(n, rented, (dst, bytes) => { for (int i = 0; i < dst.Length; i++) dst[i] = ByteToChar[bytes[i]]; });
        }
        finally { ArrayPool<byte>.Shared.Return(rented); }
    }

    /// <summary>Appends the bytes a token spells; a token with a character outside the map (an added token) is taken as UTF-8 text.</summary>
    public static void AppendBytes(string token, List<byte> output)
    {
        foreach (char c in token)
            if (!CharToByte.ContainsKey(c)) { output.AddRange(Encoding.UTF8.GetBytes(token)); return; }
        foreach (char c in token) output.Add(CharToByte[c]);
    }
}
