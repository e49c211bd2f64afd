using System.Collections.Concurrent;
using System.Text;

namespace LayerSteer.Judges;

/// <summary>Princeton WordNet 3.0 database files (Debian wordnet-base): lemma index, synsets read at their
/// byte offsets, morphology, and the antonym/synonym relations the offline judge uses.</summary>
public sealed class WordNet
{
    static readonly string[] PartFiles = ["noun", "verb", "adj", "adv"];

    // WordNet's morphy detachment rules per part of speech: inflected suffix → base ending.
    static readonly (string Suffix, string Ending)[][] Rules =
    [
        [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y")],
        [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")],
        [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
        [],
    ];

    readonly string dir;
    readonly Dictionary<string, int[]>[] index = new Dictionary<string, int[]>[4];           // "ice_cream" → synset offsets
    readonly byte[][] data = new byte[4][];                                                     // data.* files, read by offset
    readonly Dictionary<string, string[]>[] exceptions = new Dictionary<string, string[]>[4];  // "went" → ["go"]
    readonly ConcurrentDictionary<(int, int), Synset> synsets = new();

    WordNet(string dir) => this.dir = dir;

    /// <summary>Loads index.*, data.* and *.exc from a WordNet "dict" folder (about 30 MB).</summary>
    public static WordNet Load(string dir)
    {
        var wn = new WordNet(dir);
        for (int part = 0; part < 4; part++)
        {
            wn.index[part] = LoadIndex(Required(dir, "index." + PartFiles[part]));
            wn.data[part] = File.ReadAllBytes(Required(dir, "data." + PartFiles[part]));
            wn.exceptions[part] = File.ReadLines(Required(dir, PartFiles[part] + ".exc"))
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(t => t.Length >= 2)
                .GroupBy(t => t[0]).ToDictionary(g => g.Key, g => g.SelectMany(t => t[1..]).ToArray());
        }
        return wn;
    }

    /// <summary>Antonym judge. Unknown when WordNet lacks the input in every part of speech.</summary>
    public Verdict Antonym(string input, string prediction) => Judge(input, prediction, Antonyms);

    /// <summary>Synonym judge. Unknown when WordNet lacks the input in every part of speech.</summary>
    public Verdict Synonym(string input, string prediction) => Judge(input, prediction, Synonyms);

    // Accept when a form of the prediction (other than a form of the input itself) is related to the input.
    Verdict Judge(string input, string prediction, Func<List<Synset>, HashSet<string>> relation)
    {
        string inKey = Words.Key(input);
        var senses = BaseForms(inKey).SelectMany(f => index[f.Part][f.Lemma].Select(o => Read(f.Part, o))).ToList();
        if (senses.Count == 0) return Verdict.Unknown;
        var related = relation(senses);
        var inputForms = Forms(inKey);
        return Forms(Words.Key(prediction)).Any(f => !inputForms.Contains(f) && related.Contains(f)) ? Verdict.Accept : Verdict.Reject;
    }

    // Antonymy in WordNet links word forms (large↔small, big↔little); we accept every lemma of the opposite
    // synset (big→small), as the paper's judge asks whether the words are antonyms, not which form WordNet paired.
    // Adjectives: only cluster heads carry antonyms, so a satellite ("torrid") inherits its head's ("hot"), and an
    // opposite head counts with its satellites ("hot" → "frigid"): WordNet's indirect antonyms.
    HashSet<string> Antonyms(List<Synset> senses)
    {
        var result = new HashSet<string>();
        foreach (var s in senses)
        {
            IEnumerable<Synset> heads = s.Type == 's' ? [s, .. Targets(s, "&")] : [s];
            foreach (var opposite in heads.SelectMany(h => Targets(h, "!")))
            {
                result.UnionWith(opposite.Lemmas);
                foreach (var satellite in Targets(opposite, "&")) result.UnionWith(satellite.Lemmas);
            }
        }
        return result;
    }

    // Synonyms: lemmas sharing a synset with the input, plus for adjectives the synsets one similar-to step away
    // (a cluster head and its satellites: "hot" ~ "torrid").
    HashSet<string> Synonyms(List<Synset> senses)
    {
        var result = new HashSet<string>();
        foreach (var s in senses)
        {
            result.UnionWith(s.Lemmas);
            foreach (var similar in Targets(s, "&")) result.UnionWith(similar.Lemmas);
        }
        return result;
    }

    IEnumerable<Synset> Targets(Synset s, string symbol) =>
        s.Pointers.Where(p => p.Symbol == symbol).Select(p => Read(p.Part, p.Offset));

    // The word and its base forms, as lemmas (spaces, not underscores).
    HashSet<string> Forms(string key) => [key, .. BaseForms(key).Select(f => f.Lemma.Replace('_', ' '))];

    // Morphy: the word itself, its irregular bases (*.exc) and its suffix-rule bases, kept when the index has them.
    IEnumerable<(int Part, string Lemma)> BaseForms(string key)
    {
        string word = key.Replace(' ', '_');
        for (int part = 0; part < 4; part++)
        {
            var candidates = new List<string> { word };
            if (exceptions[part].TryGetValue(word, out var bases)) candidates.AddRange(bases);
            foreach (var (suffix, ending) in Rules[part])
                if (word.Length > suffix.Length && word.EndsWith(suffix, StringComparison.Ordinal))
                    candidates.Add(word[..^suffix.Length] + ending);
            foreach (var lemma in candidates.Distinct())
                if (index[part].ContainsKey(lemma)) yield return (part, lemma);
        }
    }

    Synset Read(int part, int offset) => synsets.GetOrAdd((part, offset), _ =>
    {
        var bytes = data[part];
        int end = offset < 0 || offset >= bytes.Length ? -1 : Array.IndexOf(bytes, (byte)'\n', offset);
        var line = end < 0 ? "" : Encoding.UTF8.GetString(bytes, offset, end - offset);
        if (!line.StartsWith(offset.ToString("D8"), StringComparison.Ordinal) || Synset.Parse(line) is not { } s)
            throw LayerSteerException.InFile(Path.Combine(dir, "data." + PartFiles[part]),
                $"no synset at byte offset {offset} (index and data files from different WordNet versions?)");
        return s;
    });

    // index.* line: "lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset..."; license lines start with spaces.
    static Dictionary<string, int[]> LoadIndex(string path)
    {
        var index = new Dictionary<string, int[]>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (line.Length == 0 || line[0] == ' ') continue;
            var t = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (t.Length < 6 || !int.TryParse(t[2], out int n) || n < 1 || n > t.Length - 4)
                throw LayerSteerException.InFile(path, $"line {lineNo} is not a WordNet index line");
            var offsets = new int[n];
            for (int i = 0; i < n; i++)
                if (!int.TryParse(t[t.Length - n + i], out offsets[i]))
                    throw LayerSteerException.InFile(path, $"line {lineNo}: bad synset offset '{t[t.Length - n + i]}'");
            index[t[0]] = offsets;
        }
        return index;
    }

    static string Required(string dir, string file)
    {
        var path = Path.Combine(dir, file);
        return File.Exists(path) ? path : throw LayerSteerException.InFile(path,
            "not found (install the Debian package wordnet-base, or point $LAYERSTEER_WORDNET / --wordnet at a WordNet 3.0 dict folder)");
    }
}
