using System.CommandLine;
using LayerSteer;
using Spectre.Console;

namespace LayerSteer.Cli;

/// <summary>Runs a command line and turns user errors into one clear line on stderr (exit 1).</summary>
public static class CliHost
{
    public static int Run(RootCommand root, string[] args)
    {
        if (LayerSteer.Tensors.Gemm.Warning is string w) Console.Error.WriteLine(w);
        try { return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }); }
        catch (Exception e) when (Unwrap(e) is LayerSteerException le)
        {
            Console.Error.WriteLine($"error: {le.Message}");
            return 1;
        }
    }

    static Exception Unwrap(Exception e) =>
        e is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0]) :
        e is System.Reflection.TargetInvocationException { InnerException: { } i } ? Unwrap(i) : e;

    /// <summary>Stderr console for progress and notes, so stdout stays machine-readable.</summary>
    public static IAnsiConsole Err { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
}
