namespace LayerSteer;

/// <summary>An error the user can act on: names the file (or input) and what is wrong with it.</summary>
public class LayerSteerException : Exception
{
    public LayerSteerException(string message) : base(message) { }
    public LayerSteerException(string message, Exception inner) : base(message, inner) { }

    /// <summary>"{path}: {problem}" — the form every file error takes.</summary>
    public static LayerSteerException InFile(string path, string problem) => new($"{path}: {problem}");
}
