namespace Riposte.Sdk;

/// <summary>How one run of an <see cref="ExternalTool"/> ended.</summary>
public sealed class ToolResult
{
    internal ToolResult(ExternalTool tool, IReadOnlyList<string> arguments, int exitCode, string standardOutput, string standardError, bool started, bool timedOut)
    {
        Tool = tool;
        Arguments = arguments;
        ExitCode = exitCode;
        StandardOutput = standardOutput;
        StandardError = standardError;
        Started = started;
        TimedOut = timedOut;
    }

    /// <summary>The tool that ran.</summary>
    public ExternalTool Tool { get; }

    /// <summary>Its argument vector (without the program itself).</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The exit status; -1 when it did not start or was killed at its time limit.</summary>
    public int ExitCode { get; }

    /// <summary>What it wrote on stdout.</summary>
    public string StandardOutput { get; }

    /// <summary>What it wrote on stderr (or why it could not start).</summary>
    public string StandardError { get; }

    /// <summary>False when the executable could not be started at all.</summary>
    public bool Started { get; }

    /// <summary>True when it was killed at its time limit.</summary>
    public bool TimedOut { get; }

    /// <summary>Started, finished in time and exited with status 0.</summary>
    public bool Succeeded => Started && !TimedOut && ExitCode == 0;

    /// <summary>A one-line account for the log: the command and, unless it succeeded, how it failed.</summary>
    public string Describe()
    {
        var command = Tool.Describe(Arguments);
        if (!Started)
        {
            return $"Unable to run {Tool.Name}: {StandardError}";
        }

        if (TimedOut)
        {
            return $"{command}: killed after its time limit";
        }

        var detail = FirstLine(StandardError) ?? FirstLine(StandardOutput);
        return ExitCode == 0 ? command : $"{command}: exit status {ExitCode}{(detail is null ? string.Empty : $" ({detail})")}";
    }

    private static string? FirstLine(string text)
    {
        var line = text.AsSpan().Trim();
        var end = line.IndexOfAny('\r', '\n');
        return line.IsEmpty ? null : (end >= 0 ? line[..end] : line).ToString();
    }
}
