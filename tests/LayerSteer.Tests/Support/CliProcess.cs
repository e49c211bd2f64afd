using System.Diagnostics;

namespace LayerSteer.Tests.Support;

/// <summary>Runs the real `layersteer` binary (built beside the tests) as a separate process, as a user would.</summary>
public static class CliProcess
{
    public sealed record Result(int Exit, string Stdout, string Stderr)
    {
        public string LastLine => Stdout.TrimEnd().Split('\n')[^1].Trim();
    }

    public static Result Run(params string[] args) => RunIn(Directory.GetCurrentDirectory(), args);

    public static Result RunIn(string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workDir };
        psi.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "layersteer.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException($"layersteer {string.Join(' ', args)} did not finish in 5 minutes"); }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
