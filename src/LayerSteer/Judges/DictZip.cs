using System.IO.Compression;

namespace LayerSteer.Judges;

/// <summary>Random access into a dictzip file (.dict.dz): a gzip file whose "RA" extra field lists the sizes of
/// independently deflated chunks, so an entry is read by inflating only the chunks it spans.</summary>
sealed class DictZip
{
    readonly string path;
    readonly byte[] file;          // the compressed file (15 MB for eng-deu, inflated: 80 MB)
    readonly int chunkLength;      // uncompressed bytes per chunk
    readonly long[] chunkStart;    // file offset of each chunk's deflate data; last entry = end of the last chunk

    DictZip(string path, byte[] file, int chunkLength, long[] chunkStart) =>
        (this.path, this.file, this.chunkLength, this.chunkStart) = (path, file, chunkLength, chunkStart);

    public static DictZip Open(string path)
    {
        var f = File.ReadAllBytes(path);
        if (f.Length < 18 || f[0] != 0x1f || f[1] != 0x8b || f[2] != 8) throw LayerSteerException.InFile(path, "not a gzip file");
        int flags = f[3], p = 10;
        int U16(int at) => at + 2 <= f.Length ? f[at] | f[at + 1] << 8 : throw LayerSteerException.InFile(path, "truncated gzip header");
        if ((flags & 4) == 0) throw LayerSteerException.InFile(path, "plain gzip without dictzip's random-access field (compress it with dictzip)");
        int extraEnd = p + 2 + U16(p);
        if (extraEnd > f.Length) throw LayerSteerException.InFile(path, "truncated gzip header");
        long[]? starts = null;
        int chunkLength = 0;
        for (int q = p + 2; q + 4 <= extraEnd; q += 4 + U16(q + 2))
        {
            if (f[q] != 'R' || f[q + 1] != 'A') continue;
            chunkLength = U16(q + 6);
            starts = new long[U16(q + 8) + 1];
            for (int i = 1; i < starts.Length; i++) starts[i] = starts[i - 1] + U16(q + 8 + 2 * i);
        }
        if (starts is null || chunkLength == 0) throw LayerSteerException.InFile(path, "gzip extra field has no dictzip RA subfield");
        int PastZero(int at) => at < f.Length && Array.IndexOf(f, (byte)0, at) is >= 0 and var z ? z + 1 : throw LayerSteerException.InFile(path, "truncated gzip header");
        p = extraEnd;
        if ((flags & 8) != 0) p = PastZero(p);    // file name
        if ((flags & 16) != 0) p = PastZero(p);   // comment
        if ((flags & 2) != 0) p += 2;             // header CRC
        for (int i = 0; i < starts.Length; i++) starts[i] += p;
        if (starts[^1] > f.Length) throw LayerSteerException.InFile(path, "dictzip chunk table points past the end of the file");
        return new DictZip(path, f, chunkLength, starts);
    }

    /// <summary>The uncompressed bytes [offset, offset + length).</summary>
    public byte[] Read(long offset, int length)
    {
        if (length == 0) return [];
        long first = offset / chunkLength, last = (offset + length - 1) / chunkLength;
        if (offset < 0 || length < 0 || last >= chunkStart.Length - 1)
            throw LayerSteerException.InFile(path, $"entry at {offset} (+{length}) is past the end of the dictionary");
        var text = new MemoryStream();
        for (long c = first; c <= last; c++)
        {
            try
            {
                using var chunk = new DeflateStream(new MemoryStream(file, (int)chunkStart[c], (int)(chunkStart[c + 1] - chunkStart[c])), CompressionMode.Decompress);
                chunk.CopyTo(text);
            }
            catch (InvalidDataException e) { throw new LayerSteerException($"{path}: chunk {c} is corrupt: {e.Message}", e); }
        }
        long start = offset - first * chunkLength;
        if (start + length > text.Length) throw LayerSteerException.InFile(path, $"entry at {offset} (+{length}) is past the end of the dictionary");
        return text.GetBuffer().AsSpan((int)start, length).ToArray();
    }
}
