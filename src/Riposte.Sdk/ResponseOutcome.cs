namespace Riposte.Sdk;

/// <summary>How an action ended: the exit code, an optional line for the log and whether <c>Ended</c> is logged.</summary>
public readonly record struct ResponseOutcome
{
    private ResponseOutcome(int exitCode, string? message, bool logEnded)
    {
        ExitCode = exitCode;
        Message = message;
        LogEnded = logEnded;
    }

    /// <summary>The process exit code (Wazuh: 0 = OS_SUCCESS, 255 = OS_INVALID).</summary>
    public int ExitCode { get; }

    /// <summary>A line logged before the outcome, if any.</summary>
    public string? Message { get; }

    /// <summary>Whether <c>Ended</c> is logged, as Wazuh's programs do after acting.</summary>
    public bool LogEnded { get; }

    /// <summary>Done: logs <c>Ended</c>, exit code 0.</summary>
    public static ResponseOutcome Ended { get; } = new(0, null, true);

    /// <summary>Done after logging <paramref name="message"/> (e.g. why nothing had to change); then <c>Ended</c>, exit code 0.</summary>
    public static ResponseOutcome EndedWith(string message) => new(0, message, true);

    /// <summary>
    /// Stops without acting and without <c>Ended</c>, like Wazuh's programs when a system tool is missing: logs
    /// <paramref name="message"/>, exit code 0.
    /// </summary>
    public static ResponseOutcome Skipped(string message) => new(0, message, false);

    /// <summary>Failed: logs <paramref name="message"/>, no <c>Ended</c>, exit code <paramref name="exitCode"/> (255 = Wazuh's OS_INVALID).</summary>
    public static ResponseOutcome Failed(string message, int exitCode = ResponseProgram.InvalidExitCode) => new(exitCode, message, false);
}
