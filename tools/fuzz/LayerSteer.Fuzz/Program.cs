// AFL++ entry: `LayerSteer.Fuzz TARGET` reads inputs from AFL and runs ParserTargets.Run on each. A LayerSteerException is a
// clean rejection; anything else escapes and AFL records a crash.
using LayerSteer;
using LayerSteer.Verification;
using SharpFuzz;

if (args.Length != 1 || !ParserTargets.All.ContainsKey(args[0]))
{
    Console.Error.WriteLine($"usage: LayerSteer.Fuzz TARGET   (targets: {string.Join(", ", ParserTargets.All.Keys)})");
    return 2;
}
string scratch = Directory.CreateTempSubdirectory("layersteer-fuzz-").FullName;
Fuzzer.OutOfProcess.Run(stream =>
{
    using var ms = new MemoryStream();
    stream.CopyTo(ms);
    try { ParserTargets.Run(args[0], ms.ToArray(), scratch); }
    catch (LayerSteerException) { }
});
return 0;
