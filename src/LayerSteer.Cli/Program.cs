using System.CommandLine;
using LayerSteer.Cli;
using LayerSteer.Cli.Commands;

var root = new RootCommand("LayerSteer: steer language models with task-driven layerwise additive activation interventions.");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(FitCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(CompareCommand.Create());
root.Subcommands.Add(ComposeCommand.Create());
root.Subcommands.Add(SweepLayersCommand.Create());
root.Subcommands.Add(HeadsCommand.Create());
root.Subcommands.Add(OpinionsCommand.Create());
root.Subcommands.Add(ParityCommand.Create());
root.Subcommands.Add(DownloadCommand.Create());
root.Subcommands.Add(JudgeCommand.Create());
return CliHost.Run(root, args);
