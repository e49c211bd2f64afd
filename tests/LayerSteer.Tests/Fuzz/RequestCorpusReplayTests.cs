using System.Text;
using LayerSteer.Verification;
using LayerSteer.Tests.Support;

namespace LayerSteer.Tests.Fuzz;

/// <summary>One server on the committed testbed with the fuzz harness's limits (RequestTargets), for the replay tests.</summary>
public sealed class RequestTargetsFixture : IAsyncLifetime
{
    readonly TempDir _dir = new();
    public RequestTargets Targets { get; private set; } = null!;
    public async Task InitializeAsync() => Targets = await RequestTargets.StartAsync(TestModels.Testbed, _dir.Path);
    public async Task DisposeAsync() { await Targets.DisposeAsync(); _dir.Dispose(); }
}

/// <summary>Replays every committed server-request fuzz input (tools/fuzz/corpus/server-*, tools/fuzz/crashes/server-*) and
/// hand-made hostile bodies through a real server: each gets a success or a 4xx with OpenAI's error object, never a 5xx.</summary>
public class RequestCorpusReplayTests(RequestTargetsFixture f) : IClassFixture<RequestTargetsFixture>
{
    public static TheoryData<string, string> Inputs() => CorpusReplayTests.Committed(RequestTargets.All.Keys);

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task CommittedBodiesGetACleanAnswer(string target, string file) =>
        await f.Targets.Send(target, File.ReadAllBytes(Path.Combine(CorpusReplayTests.FuzzDir, file)));

    [Fact]
    public void EveryTargetHasASeedCorpus()
    {
        foreach (var target in RequestTargets.All.Keys)
            Assert.True(Directory.GetFiles(Path.Combine(CorpusReplayTests.FuzzDir, "corpus", target)).Length > 0, target);
    }

    [Theory]
    [InlineData("server-completions", "{\"prompt\": \"hot\", \"max_tokens\": 2}", 200)]
    [InlineData("server-completions", "JSON nested 10^4 deep", 400)]
    [InlineData("server-completions", "over the body limit", 413)]
    [InlineData("server-chat", "{\"messages\": [{\"role\": \"user\", \"content\": \"\\ud83d\"}]}", 400)]
    [InlineData("server-chat", "{\"messages\": [{\"role\": \"user\", \"content\": \"hot\"}], \"n\": 1e400}", 400)]
    [InlineData("server-completions", "{\"prompt\": \"hot\", \"steering\": {\"vectors\": [{\"layer\": 1, \"data\": \"AAAA\"}]}}", 400)]
    [InlineData("server-fit", "{\"examples\": [{\"input\": \"hot\", \"output\": \"cold\"}], \"steps\": 0}", 400)]
    [InlineData("server-vector-put", "not a safetensors file", 400)]
    public async Task HostileBodiesGetTheirStatus(string target, string body, int status)
    {
        byte[] bytes = body switch
        {
            "JSON nested 10^4 deep" => Encoding.UTF8.GetBytes("{\"prompt\":" + new string('[', 10_000) + new string(']', 10_000) + "}"),
            "over the body limit" => Encoding.UTF8.GetBytes("{\"prompt\": \"" + new string('a', 100_000) + "\"}"),
            _ => Encoding.UTF8.GetBytes(body),
        };
        Assert.Equal(status, await f.Targets.Send(target, bytes));
    }
}
