namespace LayerSteer.ChatTemplates;

/// <summary>A template failure inside the engine; <see cref="Template"/> turns it into a LayerSteerException naming the source and line.</summary>
/// <param name="Line">1-based template line, or 0 when the thrower does not know it (the interpreter then adds the line it is at).</param>
internal sealed class TemplateError(string message, int line = 0) : Exception(message)
{
    public int Line { get; } = line;
}
