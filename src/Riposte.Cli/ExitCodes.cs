namespace Riposte.Cli;

/// <summary>Process exit codes shared by every command.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The command line itself is wrong.</summary>
    public const int Usage = 1;

    /// <summary>The input (configuration, alerts) is invalid.</summary>
    public const int InvalidInput = 2;

    /// <summary>The state cannot be used: permission denied (another user's state), not Riposte's, a refused link.</summary>
    public const int StateUnavailable = 3;

    /// <summary>Another Riposte process owns the state and did not answer in time (sysexits' EX_TEMPFAIL): try again.</summary>
    public const int Unavailable = 75;
}
