using System.CommandLine;
using LayerSteer.Hub;
using Spectre.Console;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer download ORG/NAME`: fetch a model from the Hugging Face hub into the HF cache; prints the snapshot folder.</summary>
public static class DownloadCommand
{
    public static Command Create()
    {
        var repo = new Argument<string>("repo") { Description = "Hub repository id, ORG/NAME (e.g. Qwen/Qwen2.5-0.5B-Instruct)." };
        var revision = new Option<string>("--revision") { Description = "Branch, tag or commit.", DefaultValueFactory = _ => "main" };
        var token = new Option<string?>("--token") { Description = "Access token for private or gated repositories (default: $HF_TOKEN)." };
        var include = new Option<string[]>("--include-pattern")
        {
            Description = "Extra files to fetch besides config, tokenizer and *.safetensors (glob, e.g. \"*.bin\"); repeatable.",
            AllowMultipleArgumentsPerToken = true,
        };
        var cmd = new Command("download", "Download a model's config, tokenizer and safetensors weights into the Hugging Face cache ($HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub).");
        cmd.Arguments.Add(repo);
        cmd.Options.Add(revision);
        cmd.Options.Add(token);
        cmd.Options.Add(include);
        cmd.SetAction(async (parse, ct) =>
        {
            using var hub = new HubDownloader(token: parse.GetValue(token));
            string folder = await CliHost.Err.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                .StartAsync(ctx => hub.DownloadAsync(parse.GetValue(repo)!, parse.GetValue(revision)!, parse.GetValue(include), new BarPerFile(ctx), ct));
            Console.WriteLine(folder);
            return 0;
        });
        return cmd;
    }

    /// <summary>One Spectre progress bar per file, fed by the downloader.</summary>
    sealed class BarPerFile(ProgressContext ctx) : IProgress<FileProgress>
    {
        readonly Dictionary<string, ProgressTask> _bars = [];

        public void Report(FileProgress p)
        {
            lock (_bars)
            {
                if (!_bars.TryGetValue(p.File, out var bar)) _bars[p.File] = bar = ctx.AddTask(Markup.Escape(p.File), maxValue: p.Total ?? 0);
                bar.MaxValue = Math.Max(p.Total ?? p.Done, 1);
                bar.Value = p.Done;
            }
        }
    }
}
