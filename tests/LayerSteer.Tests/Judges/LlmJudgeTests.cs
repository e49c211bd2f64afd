using LayerSteer.Tests.Support;
using System.Diagnostics;
using System.Text.Json;
using LayerSteer.Judges;

namespace LayerSteer.Tests.Judges;

/// <summary>The LLM judge against a real HTTP server on 127.0.0.1: votes, retries, timeouts, errors.</summary>
public class LlmJudgeTests
{
    static LlmJudge Judge(FakeChatServer server, double timeoutSeconds = 10, int retries = 3) =>
        new(new JudgeOptions { Endpoint = server.Endpoint, Model = "judge-test", ApiKey = "k", Timeout = TimeSpan.FromSeconds(timeoutSeconds), MaxRetries = retries });

    static FakeChatServer Votes(params string[] replies) => new(n => new FakeChatServer.Reply(200, replies[n % replies.Length]));

    [Fact]
    public void ThreeYesOfFiveAccepts()
    {
        using var server = Votes("1", "1.", "Answer: 1", "0", "I cannot tell.");
        Assert.Equal(Verdict.Accept, Judge(server).Judge(JudgeTask.Antonym, "hot", "cold"));
        Assert.Equal(5, server.Requests);
        foreach (var body in server.Bodies)
        {
            using var json = JsonDocument.Parse(body);
            Assert.Equal("judge-test", json.RootElement.GetProperty("model").GetString());
            var message = json.RootElement.GetProperty("messages")[0];
            Assert.Equal("user", message.GetProperty("role").GetString());
            Assert.Equal("Answer 0 if what I say is wrong and 1 if it is correct. \"hot\" is an antonym of \"cold\".", message.GetProperty("content").GetString());
        }
    }

    [Fact]
    public void TwoYesOfFiveRejects()
    {
        using var server = Votes("1", "0", "1", "0.", "no");
        Assert.Equal(Verdict.Reject, Judge(server).Judge(JudgeTask.EnglishGerman, "dog", "Katze"));
        Assert.Equal(5, server.Requests);
    }

    [Fact]
    public void VerdictsAreCached()
    {
        using var server = Votes("1");
        var judge = Judge(server);
        Assert.Equal(Verdict.Accept, judge.Judge(JudgeTask.Synonym, "big", "large"));
        Assert.Equal(Verdict.Accept, judge.Judge(JudgeTask.Synonym, " big", "large "));
        Assert.Equal(5, server.Requests);
    }

    [Fact]
    public void PromptsAreThePapers()
    {
        Assert.Equal("Answer 0 if what I say is wrong and 1 if it is correct. \"big\" is a synonym of \"large\".", LlmJudge.Prompt(JudgeTask.Synonym, "big", "large"));
        Assert.Equal("Answer 0 if what I say is wrong and 1 if it is correct. \"dog\" translated to French is \"chien\".", LlmJudge.Prompt(JudgeTask.EnglishFrench, "dog", "chien"));
        Assert.Equal("Answer 0 if what I say is wrong and 1 if it is correct. \"dog\" translated to German is \"Hund\".", LlmJudge.Prompt(JudgeTask.EnglishGerman, "dog", "Hund"));
    }

    [Fact]
    public void RateLimitIsRetriedAfterRetryAfter()
    {
        using var server = new FakeChatServer(n => n == 0 ? new(429, RetryAfter: "2") : new(200, "1"));
        var clock = Stopwatch.StartNew();
        Assert.Equal(Verdict.Accept, Judge(server).Judge(JudgeTask.Antonym, "hot", "cold"));
        Assert.Equal(6, server.Requests);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.9, 15);   // waited the server's 2 s, not the 0.8 s default backoff
    }

    [Fact]
    public void ServerErrorIsRetried()
    {
        using var server = new FakeChatServer(n => n == 0 ? new(500) : new(200, "1"));
        Assert.Equal(Verdict.Accept, Judge(server).Judge(JudgeTask.Antonym, "hot", "cold"));
        Assert.Equal(6, server.Requests);
    }

    [Fact]
    public void ClientErrorIsReportedWithoutRetrying()
    {
        using var server = new FakeChatServer(_ => new(401));
        var e = Assert.Throws<LayerSteerException>(() => Judge(server).Judge(JudgeTask.Antonym, "hot", "cold"));
        Assert.Contains("HTTP 401", e.Message);
        Assert.Equal(5, server.Requests);
    }

    [Fact]
    public void SilentServerTimesOut()
    {
        using var server = new FakeChatServer(_ => null);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<LayerSteerException>(() => Judge(server, timeoutSeconds: 1, retries: 1).Judge(JudgeTask.Antonym, "hot", "cold"));
        Assert.Contains($"{server.Endpoint} did not answer within 1 s", e.Message);
        Assert.Equal(10, server.Requests);   // 5 votes, each tried twice
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.9, 15);
    }

    [Fact]
    public void NothingListeningFailsAtOnce()
    {
        var endpoint = $"http://127.0.0.1:{LoopbackServer.FreePort()}/v1";
        var judge = new LlmJudge(new JudgeOptions { Endpoint = endpoint, Model = "m", MaxRetries = 3 });
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<LayerSteerException>(() => judge.Judge(JudgeTask.Antonym, "hot", "cold"));
        Assert.Contains($"cannot reach {endpoint}", e.Message);
        Assert.Contains("refused", e.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 3);   // retrying would back off 0.8 + 1.6 + 3.2 s
    }

    [Fact]
    public void BadEndpointIsAClearError()
    {
        var e = Assert.Throws<LayerSteerException>(() => new LlmJudge(new JudgeOptions { Endpoint = "localhost:8000" }));
        Assert.Contains("localhost:8000", e.Message);
    }
}
