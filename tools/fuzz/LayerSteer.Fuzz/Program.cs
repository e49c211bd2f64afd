// AFL++ entry: `LayerSteer.Fuzz TARGET` reads inputs from AFL and runs one target on each: a file parser of ParserTargets (a
// LayerSteerException is a clean rejection), or a server endpoint of RequestTargets, sent to a real server on loopback that runs
// the committed testbed (a 4xx with OpenAI's error object is a clean rejection). Anything else escapes and AFL records a crash.
// Both tables live in LayerSteer.Verification, which is not instrumented: instrumented code must not run before AFL attaches.
using LayerSteer;
using LayerSteer.Verification;
using SharpFuzz;

string target = args.Length == 1 ? args[0] : "";
if (!ParserTargets.All.ContainsKey(target) && !RequestTargets.All.ContainsKey(target))
{
    Console.Error.WriteLine($"usage: LayerSteer.Fuzz TARGET   (targets: {string.Join(", ", ParserTargets.All.Keys.Concat(RequestTargets.All.Keys))})");
    return 2;
}
string scratch = Directory.CreateTempSubdirectory("layersteer-fuzz-").FullName;
// The repository's models/testbed-v1, above wherever the build was copied (tools/fuzz/out/TARGET/bin); the server starts on
// the first input, after AFL attached.
string? testbed = null;
for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null && testbed == null; d = d.Parent)
    if (Directory.Exists(Path.Combine(d.FullName, "models", "testbed-v1"))) testbed = Path.Combine(d.FullName, "models", "testbed-v1");
RequestTargets? server = null;
Fuzzer.OutOfProcess.Run(stream =>
{
    using var ms = new MemoryStream();
    stream.CopyTo(ms);
    if (RequestTargets.All.ContainsKey(target))
    {
        server ??= RequestTargets.StartAsync(testbed ?? throw new InvalidOperationException("models/testbed-v1 not found above the harness"), scratch).GetAwaiter().GetResult();
        server.Send(target, ms.ToArray()).GetAwaiter().GetResult();
        return;
    }
    try { ParserTargets.Run(target, ms.ToArray(), scratch); }
    catch (LayerSteerException) { }
});
return 0;
