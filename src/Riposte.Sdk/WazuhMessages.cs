namespace Riposte.Sdk;

/// <summary>
/// The exact texts Wazuh's programs write to <c>active-responses.log</c>. Tests, decoders and people grep for them,
/// so programs built on this SDK use the same words for the same situations.
/// </summary>
public static class WazuhMessages
{
    /// <summary>First line of every run.</summary>
    public const string Starting = "Starting";

    /// <summary>Last line of a run that acted.</summary>
    public const string Ended = "Ended";

    /// <summary>Last line when execd answered <c>abort</c>.</summary>
    public const string Aborted = "Aborted";

    /// <summary>stdin ended before a line (fgets returned NULL).</summary>
    public const string CannotReadInput = "Cannot read input from stdin";

    /// <summary>The line is not JSON or lacks version/origin/command/parameters of the right types.</summary>
    public const string InvalidInputFormat = "Invalid input format";

    /// <summary>No string <c>command</c> (not reachable after validation, kept for fidelity).</summary>
    public const string CannotReadCommand = "Cannot read 'command' from json";

    /// <summary><c>command</c> is not one this step accepts.</summary>
    public const string InvalidCommand = "Invalid value of 'command'";

    /// <summary>No valid source IP (firewall-drop, firewalld-drop, host-deny; 4.14.7+).</summary>
    public const string SourceIpMissing = "Cannot read 'srcip' from data or invalid IP format";

    /// <summary>No source IP (route-null and the BSD/Windows firewall programs).</summary>
    public const string SourceIpMissingShort = "Cannot read 'srcip' from data";

    /// <summary>No valid account name (disable-account; 4.14.7+).</summary>
    public const string DestinationUserMissing = "Cannot read 'dstuser' from data or invalid username format";

    /// <summary>No extra arguments where the program needs them (wazuh-slack, kaspersky).</summary>
    public const string ExtraArgsMissing = "Cannot read 'extra_args' from data";

    /// <summary>The program's lock could not be taken.</summary>
    public const string UnableToTakeLock = "Unable to take lock. End.";

    /// <summary>Not an operating system the program supports.</summary>
    public const string InvalidSystem = "Invalid system";
}
