namespace LayerSteer.Judges;

/// <summary>A judge's answer: the prediction is right, wrong, or the judge does not know the input.</summary>
public enum Verdict { Accept, Reject, Unknown }
