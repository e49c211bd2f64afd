using System.CommandLine;
using LayerSteer.Experiments;
using LayerSteer.Tasks;

namespace LayerSteer.Cli;

/// <summary>Options naming a task and how its prompts and splits are made, shared by fit/eval/fv/sweep-layers/compose/compare.</summary>
public sealed class TaskOptions
{
    public Option<string> Task { get; } = new("--task") { Description = "Task: a JSON file of {input, output} pairs, a NAME (antonym, english-french, …), or A>B (A then B)", Required = true };
    public Option<string?> Data { get; } = new("--data") { Description = "Folder to look up task NAMEs in (before the model's tasks/ and the function_vectors data)" };
    public Option<string> Template { get; } = new("--template") { Description = "Prompt template: paper ({x}: → {y}) or fv (Q: {x}\\nA: → {y})", DefaultValueFactory = _ => RunDefaults.Template.Name };
    public Option<int> Shots { get; } = new("--shots") { Description = "Training pairs N (and demonstrations for few-shot)", DefaultValueFactory = _ => RunDefaults.Shots };
    public Option<int> TestSize { get; } = new("--test-size") { Description = "Held-out test pairs per seed", DefaultValueFactory = _ => RunDefaults.TestSize };

    /// <summary>Adds the options; without <paramref name="withTask"/> the command names its tasks another way (compare's --tasks).</summary>
    public void AddTo(Command c, bool withTask = true)
    {
        if (withTask) c.Options.Add(Task);
        c.Options.Add(Data); c.Options.Add(Template); c.Options.Add(Shots); c.Options.Add(TestSize);
    }

    public TaskPairs Resolve(ParseResult pr, string modelPath) => Resolve(pr, pr.GetValue(Task)!, modelPath);

    /// <summary>A task spec looked up in --data, the model folder's tasks/, then the function_vectors data.</summary>
    public TaskPairs Resolve(ParseResult pr, string spec, string modelPath) =>
        TaskPairs.Resolve(spec, TaskPairs.SearchRoots(pr.GetValue(Data), Directory.Exists(modelPath) ? modelPath : null, SharedData.FunctionVectorDirs));

    public PromptTemplate TemplateOf(ParseResult pr) => PromptTemplate.Parse(pr.GetValue(Template)!);

    public TaskSplit Split(ParseResult pr, TaskPairs pairs, int seed) => TaskSplit.Make(pairs, pr.GetValue(Shots), pr.GetValue(TestSize), seed);
}
