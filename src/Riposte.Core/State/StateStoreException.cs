namespace Riposte.State;

/// <summary>The state database cannot be used as it is: missing, not Riposte's, or from an incompatible version.</summary>
public sealed class StateStoreException : Exception
{
    /// <summary>Creates the exception with no message.</summary>
    public StateStoreException()
    {
    }

    /// <summary>Creates the exception with a message meant for the operator.</summary>
    public StateStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message meant for the operator and the failure behind it.</summary>
    public StateStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
