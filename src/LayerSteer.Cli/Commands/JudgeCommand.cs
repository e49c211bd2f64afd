using System.CommandLine;
using LayerSteer.Judges;

namespace LayerSteer.Cli.Commands;

/// <summary>`layersteer judge`: is a prediction right for a task input? Prints accept, reject or unknown as its last line.</summary>
public static class JudgeCommand
{
    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = "antonym, synonym, english-french or english-german", Required = true };
        task.AcceptOnlyFromAmong(JudgeTasks.Names);
        var input = new Option<string>("--input") { Description = "The task input, e.g. hot", Required = true };
        var prediction = new Option<string>("--prediction") { Description = "The model's answer, e.g. cold", Required = true };
        var judge = new Option<string>("--judge")
        {
            Description = "offline: WordNet and FreeDict (Debian packages); llm: the paper's five votes from an OpenAI-compatible chat model",
            DefaultValueFactory = _ => "offline",
        };
        judge.AcceptOnlyFromAmong("offline", "llm");
        var wordnet = new Option<string?>("--wordnet") { Description = "WordNet dict folder (default $LAYERSTEER_WORDNET, else /usr/share/wordnet)" };
        var freedict = new Option<string?>("--freedict") { Description = "Folder of freedict-eng-*.index/.dict.dz (default $LAYERSTEER_FREEDICT, else /usr/share/dictd)" };
        var endpoint = new Option<string?>("--judge-endpoint") { Description = "OpenAI-compatible base URL (default $OPENAI_BASE_URL, else https://api.openai.com/v1); key from $OPENAI_API_KEY" };
        var model = new Option<string?>("--judge-model") { Description = "Judge chat model (default $LAYERSTEER_JUDGE_MODEL, else gpt-4)" };

        var cmd = new Command("judge", "Judge one prediction like the paper's GPT-Eval, offline or with an LLM.");
        foreach (var o in new Option[] { task, input, prediction, judge, wordnet, freedict, endpoint, model }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var options = new JudgeOptions { WordNetDir = r.GetValue(wordnet), FreeDictDir = r.GetValue(freedict), Endpoint = r.GetValue(endpoint), Model = r.GetValue(model) };
            var verdict = Judge.Create(r.GetValue(judge)!, options)!.Judge(JudgeTasks.Parse(r.GetValue(task)!), r.GetValue(input)!, r.GetValue(prediction)!);
            r.InvocationConfiguration.Output.WriteLine(verdict.ToString().ToLowerInvariant());
            return 0;
        });
        return cmd;
    }
}
