// Starts an atomic write of args[0], writes half a megabyte, says so on stdout and then hangs until it is killed.
using LayerSteer.Formats;

AtomicFile.Write(args[0], s =>
{
    s.Write(new byte[512 * 1024]);
    s.Flush();
    Console.WriteLine("writing");
    Console.Out.Flush();
    Thread.Sleep(Timeout.Infinite);
});
