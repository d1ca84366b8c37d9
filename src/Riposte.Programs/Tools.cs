using Riposte.Sdk;

namespace Riposte.Programs;

/// <summary>How the built-in programs run their tools: bounded in time, and with the exit status taken seriously.</summary>
internal static class Tools
{
    /// <summary>Long enough for an iptables rewrite of a large table, short enough that one stuck tool cannot hang a run.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="tool"/> with <paramref name="arguments"/>.</summary>
    public static Task<ToolResult> RunAsync(ExternalTool tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? standardInput = null, TimeSpan? timeout = null) =>
        tool.RunAsync(arguments, standardInput, timeout ?? DefaultTimeout, cancellationToken);

    /// <summary>True when the tool ran and its stderr (or stdout) contains one of <paramref name="markers"/>.</summary>
    public static bool Says(ToolResult result, params string[] markers)
    {
        if (!result.Started || result.TimedOut)
        {
            return false;
        }

        foreach (var marker in markers)
        {
            if (result.StandardError.Contains(marker, StringComparison.OrdinalIgnoreCase) ||
                result.StandardOutput.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The failure outcome for a tool that did not do its job: its command and error in the log, exit code 1.</summary>
    public static ResponseOutcome Failed(ToolResult result) => ResponseOutcome.Failed(result.Describe(), 1);
}
