using System.CommandLine;
using LayerSteer.Judges;
using LayerSteer.Models;
using LayerSteer.Tasks;

namespace LayerSteer.Cli;

/// <summary>--judge offline|llm|none for eval/compare: builds one judge per run and an evaluator per task.</summary>
public static class JudgeOption
{
    public static Option<string> Create()
    {
        var o = new Option<string>("--judge") { Description = "Also judge predictions: offline (WordNet/FreeDict), llm (OpenAI-compatible, 5 votes) or none", DefaultValueFactory = _ => "none" };
        o.AcceptOnlyFromAmong(Judge.Kinds);
        return o;
    }

    /// <summary>An evaluator factory: tasks a judge covers get judged, others are scored by exact match only.</summary>
    public static Func<TaskPairs, Evaluator> Evaluators(string kind, Transformer model, TaskEncoder enc)
    {
        var judge = Judge.Create(kind);
        return task => new Evaluator(model, enc)
        {
            Judging = judge != null && JudgeTasks.TryParse(task.Name, out var jt) ? (judge, jt) : null,
        };
    }
}
