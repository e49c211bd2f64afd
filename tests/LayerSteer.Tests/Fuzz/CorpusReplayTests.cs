using System.Text;
using LayerSteer.Tests.Support;
using LayerSteer.Verification;

namespace LayerSteer.Tests.Fuzz;

/// <summary>Replays every committed fuzz input (tools/fuzz/corpus: seeds and what AFL++ kept; tools/fuzz/crashes: inputs
/// that once crashed) through its parser, plus hand-made hostile inputs: each must parse or fail with a
/// LayerSteerException, quickly and in bounded memory.</summary>
public class CorpusReplayTests
{
    public static string FuzzDir => Path.Combine(Support.Repo.Root, "tools", "fuzz");

    public static TheoryData<string, string> Inputs() => Committed(ParserTargets.All.Keys);

    /// <summary>(target, path under tools/fuzz) of every committed input of these targets.</summary>
    public static TheoryData<string, string> Committed(IEnumerable<string> targets)
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { "corpus", "crashes" })
            foreach (var target in targets.Order())
            {
                string dir = Path.Combine(FuzzDir, kind, target);
                if (!Directory.Exists(dir)) continue;
                foreach (var f in Directory.GetFiles(dir).Order()) data.Add(target, Path.GetRelativePath(FuzzDir, f));
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void CommittedInputsParseOrFailCleanly(string target, string file) => Replay(target, File.ReadAllBytes(Path.Combine(FuzzDir, file)));

    [Fact]
    public void EveryTargetHasASeedCorpus()
    {
        foreach (var target in ParserTargets.All.Keys)
            Assert.True(Directory.Exists(Path.Combine(FuzzDir, "corpus", target)) && Directory.GetFiles(Path.Combine(FuzzDir, "corpus", target)).Length > 0, target);
    }

    public static TheoryData<string, string> Hostile() => new()
    {
        { "safetensors", "header claims 10^12 bytes" }, { "safetensors", "shape product overflows" }, { "safetensors", "offsets past the end" },
        { "config", "JSON nested 10^5 deep" }, { "tokenizer-json", "JSON nested 10^5 deep" }, { "task", "JSON nested 10^5 deep" },
        { "vocab-merges", "10^6 merges of unknown tokens" }, { "tokenizer-json", "huge numbers and wrong types" }, { "survey-jsonl", "JSON nested 10^5 deep" },
        { "tokenizer-bin", "max token length 2^31-1" }, { "llama2c-checkpoint", "dimensions whose product overflows" }, { "survey-csv", "unclosed quote" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void HostileInputsAreRejectedCleanly(string target, string what) => Replay(target, Make(target, what));

    static byte[] Make(string target, string what)
    {
        string nested = new string('[', 100_000) + new string(']', 100_000);
        byte[] Header(string json) { var h = Encoding.UTF8.GetBytes(json); return [.. BitConverter.GetBytes((ulong)h.Length), .. h]; }
        return (target, what) switch
        {
            ("safetensors", "header claims 10^12 bytes") => [.. BitConverter.GetBytes(1_000_000_000_000UL), .. "{}"u8],
            ("safetensors", "shape product overflows") => Header("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,0]}}"),
            ("safetensors", "offsets past the end") => Header("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8000000000]}}"),
            (_, "JSON nested 10^5 deep") => Encoding.UTF8.GetBytes(target == "config" || target == "tokenizer-json" ? "{\"a\":" + nested + "}" : nested),
            ("vocab-merges", _) => Encoding.UTF8.GetBytes("{\"a\":0}\n#merges\n" + string.Concat(Enumerable.Range(0, 1_000_000).Select(i => $"x{i} y{i}\n"))),
            ("tokenizer-json", _) => Encoding.UTF8.GetBytes("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":1e400,\"b\":\"x\"},\"merges\":[[1,2],3]},\"added_tokens\":[{\"id\":-5}]}"),
            ("tokenizer-bin", _) => [.. BitConverter.GetBytes(int.MaxValue), .. BitConverter.GetBytes(0f), .. BitConverter.GetBytes(int.MaxValue)],
            ("llama2c-checkpoint", _) => [.. new[] { 65536, 65536, 65536, 65536, 65536, 65536, 65536 }.SelectMany(BitConverter.GetBytes)],
            ("survey-csv", _) => "id,question,options,distribution\nq1,\"never closed,Yes|No,1|2\n"u8.ToArray(),
            _ => throw new ArgumentException(what),
        };
    }

    static void Replay(string target, byte[] input)
    {
        using var tmp = new TempDir();
        var run = Task.Run(() =>
        {
            try { ParserTargets.Run(target, input, tmp.Path); }
            catch (LayerSteerException) { }
        });
        Assert.True(run.Wait(TimeSpan.FromSeconds(30)), $"{target}: no answer within 30 s");
    }
}
