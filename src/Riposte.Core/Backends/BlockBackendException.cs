namespace Riposte.Backends;

/// <summary>A kernel block set refused a batch or a command it needs failed; nothing of the batch took effect.</summary>
public sealed class BlockBackendException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BlockBackendException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public BlockBackendException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public BlockBackendException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
