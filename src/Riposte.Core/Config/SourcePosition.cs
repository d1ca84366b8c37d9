namespace Riposte.Config;

/// <summary>A 1-based line and column inside a configuration file.</summary>
/// <param name="File">The path as the user gave it.</param>
/// <param name="Line">1-based line; 0 when unknown.</param>
/// <param name="Column">1-based column; 0 when unknown.</param>
public readonly record struct SourcePosition(string File, int Line, int Column)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}";
}
