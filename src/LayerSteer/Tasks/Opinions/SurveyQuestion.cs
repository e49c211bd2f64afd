namespace LayerSteer.Tasks.Opinions;

/// <summary>A multiple-choice survey question: id (e.g. "GUN_W26"), wave (e.g. "W26"), text, and its options with "Refused" dropped.</summary>
public sealed record SurveyQuestion(string Id, string Wave, string Text, IReadOnlyList<string> Options);

/// <summary>A question and one group's answer distribution π over its options (non-negative, sums to 1).</summary>
public sealed record OpinionExample(SurveyQuestion Question, double[] Pi)
{
    /// <summary>Index of the group's most common option (the first one on a tie).</summary>
    public int MostCommon => Array.IndexOf(Pi, Pi.Max());
}

/// <summary>The examples loaded for one group (or one user survey file) and what was skipped.</summary>
public sealed record GroupOpinions(string Group, IReadOnlyList<OpinionExample> Examples, LoadReport Report);
