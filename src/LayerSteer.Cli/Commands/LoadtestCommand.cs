using System.CommandLine;
using System.Globalization;
using LayerSteer.Server;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer loadtest`: hostile mixed load (or a throughput sweep) against a loopback `layersteer serve`.</summary>
public static class LoadtestCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The server, e.g. http://127.0.0.1:8000/ (loopback only)", Required = true };
        var apiKey = new Option<string?>("--api-key") { Description = "The server's API key, if it has one" };
        var requests = new Option<int>("--requests") { Description = "Requests in the mixed run (a third of them bad)", DefaultValueFactory = _ => 1000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once", DefaultValueFactory = _ => 64 };
        var maxTime = new Option<string>("--max-time") { Description = "Stop after this long, whatever is left (e.g. 10m)", DefaultValueFactory = _ => "10m" };
        var maxBody = new Option<string>("--max-body") { Description = "The server's --max-body (the oversize request goes past it)", DefaultValueFactory = _ => "1MB" };
        var throughput = new Option<string?>("--throughput") { Description = "Instead: tokens/s and latency at these concurrencies, e.g. 1,4,16" };
        var perStream = new Option<int>("--per-stream") { Description = "Throughput: requests per concurrent stream", DefaultValueFactory = _ => 8 };
        var tokens = new Option<int>("--max-tokens") { Description = "Tokens per request (throughput) or the largest per request (mixed)", DefaultValueFactory = _ => 64 };
        var cmd = new Command("loadtest", "Load-test a loopback layersteer server: hostile mixed requests, or throughput.")
            { url, apiKey, requests, concurrency, maxTime, maxBody, throughput, perStream, tokens };
        cmd.SetAction(async (pr, ct) =>
        {
            var inv = CultureInfo.InvariantCulture;
            if (!Uri.TryCreate(pr.GetValue(url), UriKind.Absolute, out var u)) throw new LayerSteerException($"--url {pr.GetValue(url)} is not an absolute URL");
            var o = new LoadTestOptions
            {
                Url = new Uri(u.ToString().TrimEnd('/') + "/"), ApiKey = pr.GetValue(apiKey), Requests = pr.GetValue(requests), Concurrency = pr.GetValue(concurrency),
                MaxTime = ServeCommand.Duration(pr.GetValue(maxTime)!, "--max-time"), MaxBody = ServeCommand.Bytes(pr.GetValue(maxBody)!, "--max-body"),
                MaxTokens = pr.GetValue(tokens),
            };
            using var test = new LoadTest(o);
            try { return await Run(test, pr, inv); }
            catch (HttpRequestException e) { throw new LayerSteerException($"cannot reach the server at {o.Url}: {e.Message}"); }
        });
        return cmd;

        async Task<int> Run(LoadTest test, ParseResult pr, IFormatProvider inv)
        {
            if (pr.GetValue(throughput) is string list)
            {
                var cs = list.Split(',').Select(s => int.TryParse(s, NumberStyles.Integer, inv, out int c) && c > 0 ? c : throw new LayerSteerException($"--throughput: \"{s}\" is not a positive integer")).ToArray();
                foreach (var p in await test.Throughput(cs, pr.GetValue(perStream), pr.GetValue(tokens)))
                    Console.WriteLine(string.Format(inv, "throughput concurrency={0} requests={1} tokens={2} seconds={3:F2} tokens_per_s={4:F1} p50_s={5:F3} p95_s={6:F3}",
                        p.Concurrency, p.Requests, p.Tokens, p.Seconds, p.TokensPerSecond, p.P50, p.P95));
                return 0;
            }
            var report = await test.Mixed();
            foreach (var line in LoadTest.Describe(report)) Console.WriteLine(line);
            return report.Passed ? 0 : 1;
        }
    }
}
