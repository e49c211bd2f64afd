using System.Buffers.Binary;
using System.Text;

namespace LayerSteer.Tokenizers;

/// <summary>llama2.c's tokenizer.bin (SentencePiece pieces with scores), encoding and decoding exactly like run.c.</summary>
public sealed class Llama2cTokenizer : ITokenizer
{
    /// <summary>run.c's fixed ids: &lt;unk&gt;, BOS, EOS, then the 256 byte tokens &lt;0x00&gt;..&lt;0xFF&gt;.</summary>
    public const int Unk = 0, Bos = 1, Eos = 2, FirstByteToken = 3;

    readonly string[] pieces;
    readonly Dictionary<string, int> ids = new(StringComparer.Ordinal);
    readonly Concatenations merges;

    Llama2cTokenizer(string[] pieces, float[] scores)
    {
        this.pieces = pieces;
        for (int i = 0; i < pieces.Length; i++) ids.TryAdd(pieces[i], i);
        // run.c repeatedly merges the adjacent pair whose concatenation is the best-scoring piece, leftmost on ties:
        // the same as ranked BPE where a piece's rank is its score's place, equal scores sharing a rank.
        var rankOf = scores.Distinct().OrderByDescending(s => s).Select((s, r) => (s, r)).ToDictionary(p => p.s, p => p.r);
        merges = new Concatenations(pieces, ids, scores.Select(s => rankOf[s]).ToArray());
    }

    /// <summary>run.c's merge lookup: a pair merges into the piece spelled by its concatenation.</summary>
    sealed class Concatenations : IMergeRanks
    {
        // Pieces up to this many chars have their splits listed at load (time ∝ length² each); a longer one is looked
        // up when encoding meets a pair that could spell it, so a hostile file with huge pieces still loads at once.
        const int ListedLength = 128;
        readonly MergeTable listed = new();
        readonly string[] pieces;
        readonly int[] rank;
        readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> ids;
        readonly int longest;

        public Concatenations(string[] pieces, Dictionary<string, int> ids, int[] rank)
        {
            (this.pieces, this.rank, this.ids, longest) = (pieces, rank, ids.GetAlternateLookup<ReadOnlySpan<char>>(), pieces.Max(p => p.Length));
            for (int t = 0; t < pieces.Length; t++)
            {
                string s = pieces[t];
                if (s.Length > ListedLength || ids[s] != t) continue; // a duplicated piece: lookups find the first
                for (int k = 1; k < s.Length; k++)
                    if (!char.IsLowSurrogate(s[k]) && this.ids.TryGetValue(s.AsSpan(0, k), out int left) && this.ids.TryGetValue(s.AsSpan(k), out int right))
                        listed.Add(left, right, rank[t], t);
            }
        }

        public bool TryGet(int left, int right, out (int Rank, int Id) merge)
        {
            if (listed.TryGet(left, right, out merge)) return true;
            string a = pieces[left], b = pieces[right];
            int n = a.Length + b.Length;
            if (n <= ListedLength || n > longest) return false;
            Span<char> both = n <= 256 ? stackalloc char[n] : new char[n];
            a.CopyTo(both);
            b.CopyTo(both[a.Length..]);
            if (!ids.TryGetValue(both, out int id)) return false;
            merge = (rank[id], id);
            return true;
        }
    }

    public static Llama2cTokenizer Load(string path)
    {
        byte[] data;
        try { data = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw LayerSteerException.InFile(path, $"cannot be read ({e.Message})"); }
        if (data.Length < 4) throw LayerSteerException.InFile(path, "truncated: no max_token_length header");
        int maxLength = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (maxLength <= 0) throw LayerSteerException.InFile(path, $"max_token_length is {maxLength}; it must be positive");

        var pieces = new List<string>();
        var scores = new List<float>();
        for (int o = 4; o < data.Length;)
        {
            int i = pieces.Count;
            if (data.Length - o < 8) throw LayerSteerException.InFile(path, $"truncated: token {i}'s score and length are cut off at byte {o}");
            float score = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(o));
            int length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(o + 4));
            o += 8;
            if (length < 0) throw LayerSteerException.InFile(path, $"token {i} has negative length {length}");
            if (length > maxLength) throw LayerSteerException.InFile(path, $"token {i} is {length} bytes, more than max_token_length {maxLength}");
            if (length > data.Length - o) throw LayerSteerException.InFile(path, $"truncated: token {i} needs {length} bytes at byte {o}, only {data.Length - o} remain");
            if (float.IsNaN(score)) throw LayerSteerException.InFile(path, $"token {i} has a NaN score");
            pieces.Add(Encoding.UTF8.GetString(data, o, length));
            scores.Add(score);
            o += length;
        }
        if (pieces.Count < FirstByteToken + 256)
            throw LayerSteerException.InFile(path, $"holds {pieces.Count} tokens; a llama2.c tokenizer has at least {FirstByteToken + 256} (<unk>, <s>, </s>, 256 byte tokens)");
        return new Llama2cTokenizer([.. pieces], [.. scores]);
    }

    public int VocabSize => pieces.Length;
    public int? BosId => Bos;
    public int? EosId => Eos;

    /// <summary>run.c encode: BOS, a dummy " " before non-empty text, each code point as a piece or its bytes (id = byte + 3), then merges.
    /// Lone surrogates are U+FFFD, as the Hugging Face tokenizers see them.</summary>
    public int[] Encode(string text, bool addSpecialTokens = true)
    {
        text = UnicodeText.Sanitize(text);
        var symbols = new List<int>(text.Length + 1);
        if (text.Length > 0) Piece(" ", symbols);
        foreach (Rune r in text.EnumerateRunes()) Piece(r.ToString(), symbols);
        merges.Apply(symbols);
        if (addSpecialTokens) symbols.Insert(0, Bos);
        return symbols.ToArray();
    }

    void Piece(string s, List<int> symbols)
    {
        if (ids.TryGetValue(s, out int id)) { symbols.Add(id); return; }
        foreach (byte b in Encoding.UTF8.GetBytes(s)) symbols.Add(FirstByteToken + b);
    }

    /// <summary>run.c decode: a piece right after BOS loses its leading space; "&lt;0xNN&gt;" pieces are raw bytes. Unknown ids are skipped.</summary>
    public string Decode(IEnumerable<int> tokenIds, bool skipSpecialTokens = false)
    {
        var bytes = new List<byte>();
        int prev = -1;
        foreach (int id in tokenIds)
        {
            if (id < 0 || id >= pieces.Length) continue;
            string piece = pieces[id];
            bool skip = skipSpecialTokens && id < FirstByteToken;
            if (prev == Bos && piece.StartsWith(' ')) piece = piece[1..];
            prev = id;
            if (skip) continue;
            if (ByteFallbackDecoder.ByteToken(piece) is byte b) bytes.Add(b);
            else bytes.AddRange(Encoding.UTF8.GetBytes(piece));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    public string TokenText(int id) =>
        id >= 0 && id < pieces.Length ? pieces[id]
            : throw new LayerSteerException($"token id {id} is not in the tokenizer's vocabulary (size {VocabSize})");
}
