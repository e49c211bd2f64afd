using System.CommandLine;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer demo`: the README's first command.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var cmd = new Command("demo", "Run the main job on the best model found locally.");
        cmd.SetAction(_ => { Console.WriteLine("demo: not built yet"); return 0; });
        return cmd;
    }
}
