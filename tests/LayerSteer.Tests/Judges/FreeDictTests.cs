using System.IO.Compression;
using LayerSteer.Judges;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Judges;

/// <summary>FreeDict entries parsed from a hand-written dictionary in real FreeDict layout, and dictzip random access.</summary>
public class FreeDictTests
{
    static readonly (string, string)[] Entries =
    [
        ("dog", "dog /dɔg/\nchien <masc> [zool.], clébard\n      \"train a dog\"  - dresser un chien\n   Synonym: {hound}\n\n see: {dogs}\n"),
        ("attorney", "attorney /ɐtˈɜːni/\n [Am.] Rechtsanwalt <masc>RA,  /ɹˈɑː/ , Anwalt <masc>\n         Note: at law\n"),
        ("be glad", "be glad\n(sich) freuen <v, refl>\n"),
        ("set on fire", "set on fire\netw. anzünden [ugs.] , etw. anstecken <v, trans> [ugs.]\n"),
        ("abandon", "abandon /əbændən/\n1. abdiquer\n2. abandonner, délaisser\n"),
        ("wellknown", "well-known\nwohlbekannt <adj>\n"),
    ];

    static FreeDict Load(TempDir dir, int chunkLength = 16)
    {
        DictZipWriter.Write(dir.Path, "eng-xx", Entries, chunkLength);
        return FreeDict.Load(dir.Path, "eng-xx", ["le", "der"]);
    }

    [Theory]
    [InlineData("dog", "chien"), InlineData("dog", "clébard"), InlineData("Dog", "le chien"), InlineData("dog", "CHIEN.")]
    [InlineData("attorney", "Rechtsanwalt"), InlineData("attorney", "der Anwalt")]
    [InlineData("be glad", "freuen"), InlineData("be glad", "sich freuen")]
    [InlineData("set on fire", "etw. anzünden"), InlineData("set on fire", "etw. anstecken")]
    [InlineData("abandon", "abdiquer"), InlineData("abandon", "délaisser"), InlineData("abandon", "delaisser"), InlineData("abandon", "DÉLAISSER")]
    [InlineData("well-known", "wohlbekannt")]
    public void AcceptsTranslations(string input, string prediction)
    {
        using var dir = new TempDir();
        Assert.Equal(Verdict.Accept, Load(dir).Judge(input, prediction));
    }

    [Theory]
    [InlineData("dog", "dresser un chien"), InlineData("dog", "hound"), InlineData("dog", "dogs"), InlineData("dog", "zool")]
    [InlineData("attorney", "RA"), InlineData("attorney", "am"), InlineData("abandon", "abandon"), InlineData("dog", "")]
    public void RejectsExamplesLabelsAndReferences(string input, string prediction)
    {
        using var dir = new TempDir();
        Assert.Equal(Verdict.Reject, Load(dir).Judge(input, prediction));
    }

    [Fact]
    public void UnknownHeadword()
    {
        using var dir = new TempDir();
        Assert.Equal(Verdict.Unknown, Load(dir).Judge("cat", "chat"));
    }

    [Fact]
    public void EntriesSpanningChunksReadTheSame()
    {
        using var small = new TempDir();
        using var large = new TempDir();
        var a = Load(small, chunkLength: 7);
        var b = Load(large, chunkLength: 60000);
        foreach (var (input, prediction) in new[] { ("attorney", "Anwalt"), ("abandon", "délaisser"), ("dog", "hound") })
            Assert.Equal(b.Judge(input, prediction), a.Judge(input, prediction));
    }

    [Fact]
    public void PlainGzipAndMissingFilesAreClearErrors()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<LayerSteerException>(() => FreeDict.Load(dir.Path, "eng-fra", []));
        Assert.Contains("dict-freedict-eng-fra", e.Message);
        Assert.Contains(dir.File("freedict-eng-fra.index"), e.Message);

        File.WriteAllText(dir.File("freedict-eng-fra.index"), "dog\tA\tB\n");
        using (var gz = new GZipStream(File.Create(dir.File("freedict-eng-fra.dict.dz")), CompressionLevel.Optimal)) gz.Write("dog\nchien\n"u8);
        e = Assert.Throws<LayerSteerException>(() => FreeDict.Load(dir.Path, "eng-fra", []));
        Assert.Contains("dictzip", e.Message);

        DictZipWriter.Write(dir.Path, "eng-fra", Entries, 16);
        File.WriteAllText(dir.File("freedict-eng-fra.index"), "dog\tA!\tB\n");
        e = Assert.Throws<LayerSteerException>(() => FreeDict.Load(dir.Path, "eng-fra", []));
        Assert.Contains("line 1", e.Message);

        File.WriteAllText(dir.File("freedict-eng-fra.index"), "dog\tBAAAA\tB\n");   // offset past the end
        e = Assert.Throws<LayerSteerException>(() => FreeDict.Load(dir.Path, "eng-fra", []).Judge("dog", "chien"));
        Assert.Contains("past the end", e.Message);
    }

    [DebianFact]
    public void RandomAccessMatchesWholeFileGunzip()
    {
        var path = Path.Combine(Debian.Options.FreeDict, "freedict-eng-deu.dict.dz");
        var whole = new MemoryStream();
        using (var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress)) gz.CopyTo(whole);
        var all = whole.ToArray();
        var dz = DictZip.Open(path);
        var rng = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            long offset = rng.NextInt64(all.Length - 200_000);
            int length = rng.Next(1, 200_000);   // often spans several 58 KB chunks
            Assert.Equal(all.AsSpan((int)offset, length).ToArray(), dz.Read(offset, length));
        }
        Assert.Equal(all[^10..], dz.Read(all.Length - 10, 10));
    }
}
