namespace Riposte.Alerts;

/// <summary>One line of JSON-lines input: an alert, or the reason the line could not be read.</summary>
/// <param name="LineNumber">1-based line number.</param>
/// <param name="ByteOffset">Offset of the line's first byte in the input.</param>
/// <param name="Alert">The alert, or null when the line is malformed.</param>
/// <param name="Error">Why the line is malformed, or null.</param>
public sealed record AlertLine(long LineNumber, long ByteOffset, Alert? Alert, string? Error)
{
    /// <summary>True when the line held a readable alert.</summary>
    public bool IsAlert => Alert is not null;

    /// <summary>Offset in the input of the byte where a malformed line stops being readable, when it is known.</summary>
    public long? ErrorOffset { get; init; }
}
