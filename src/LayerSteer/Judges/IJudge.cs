namespace LayerSteer.Judges;

/// <summary>Decides whether a model's prediction is a correct answer for an input of a task.</summary>
public interface IJudge
{
    Verdict Judge(JudgeTask task, string input, string prediction);
}
