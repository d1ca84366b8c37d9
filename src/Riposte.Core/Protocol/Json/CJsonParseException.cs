namespace Riposte.Protocol.Json;

/// <summary>Thrown when text is not JSON that cJSON would parse.</summary>
public sealed class CJsonParseException : FormatException
{
    /// <summary>Creates an exception with a default message.</summary>
    public CJsonParseException()
        : this("Invalid JSON.")
    {
    }

    /// <summary>Creates an exception with the given message and an unknown offset.</summary>
    /// <param name="message">Description of the problem.</param>
    public CJsonParseException(string message)
        : base(message)
    {
        ByteOffset = -1;
    }

    /// <summary>Creates an exception wrapping another one, with an unknown offset.</summary>
    /// <param name="message">Description of the problem.</param>
    /// <param name="innerException">The underlying failure.</param>
    public CJsonParseException(string message, Exception innerException)
        : base(message, innerException)
    {
        ByteOffset = -1;
    }

    /// <summary>Creates an exception for a failure at a known position.</summary>
    /// <param name="message">Description of the problem.</param>
    /// <param name="byteOffset">Offset in the input, in bytes, where parsing failed.</param>
    public CJsonParseException(string message, long byteOffset)
        : base(message)
    {
        ByteOffset = byteOffset;
    }

    /// <summary>Offset in the input, in bytes, where parsing failed; -1 if unknown.</summary>
    public long ByteOffset { get; }
}
