namespace Riposte.Inputs;

/// <summary>Another process is bound to the exec queue socket (wazuh-execd, or another Riposte).</summary>
public sealed class ExecQueueInUseException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ExecQueueInUseException()
    {
    }

    /// <summary>Creates the exception with its message.</summary>
    public ExecQueueInUseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public ExecQueueInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
