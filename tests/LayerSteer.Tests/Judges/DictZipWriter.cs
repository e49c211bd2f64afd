using System.IO.Compression;

namespace LayerSteer.Tests.Judges;

/// <summary>Writes a small dictzip file and dictd index for tests: chunks deflated one by one, an RA extra field.</summary>
static class DictZipWriter
{
    const string Base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>Writes {dir}/freedict-{name}.dict.dz and .index from (headword, entry text) pairs.</summary>
    public static void Write(string dir, string name, (string Headword, string Entry)[] entries, int chunkLength)
    {
        var text = new MemoryStream();
        var index = new List<string>();
        foreach (var (headword, entry) in entries)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(entry);
            index.Add($"{headword}\t{Encode(text.Length)}\t{Encode(bytes.Length)}");
            text.Write(bytes);
        }
        File.WriteAllLines(Path.Combine(dir, $"freedict-{name}.index"), index);
        File.WriteAllBytes(Path.Combine(dir, $"freedict-{name}.dict.dz"), Compress(text.ToArray(), chunkLength));
    }

    public static byte[] Compress(byte[] text, int chunkLength)
    {
        var chunks = text.Chunk(chunkLength).Select(c =>
        {
            var ms = new MemoryStream();
            using (var d = new DeflateStream(ms, CompressionLevel.Optimal)) d.Write(c);
            return ms.ToArray();
        }).ToList();
        var f = new MemoryStream();
        void U16(int v) { f.WriteByte((byte)v); f.WriteByte((byte)(v >> 8)); }
        f.Write([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 3]);   // gzip, FEXTRA
        U16(4 + 6 + 2 * chunks.Count);
        f.Write("RA"u8);
        U16(6 + 2 * chunks.Count);
        U16(1); U16(chunkLength); U16(chunks.Count);
        foreach (var c in chunks) U16(c.Length);
        foreach (var c in chunks) f.Write(c);
        f.Write(new byte[8]);   // CRC32 and size: the reader never checks them
        return f.ToArray();
    }

    static string Encode(long v)
    {
        var s = "";
        do { s = Base64[(int)(v % 64)] + s; v /= 64; } while (v > 0);
        return s;
    }
}
