using System.CommandLine;
using LayerSteer.Cli;
using LayerSteer.Cli.Commands;

var root = new RootCommand("LayerSteer: steer language models with task-driven layerwise additive activation interventions.");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(ParityCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return CliHost.Run(root, args);
