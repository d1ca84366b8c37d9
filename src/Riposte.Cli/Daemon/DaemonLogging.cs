using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Riposte.Cli.Daemon;

/// <summary>The daemons' log on stderr (execd-like text lines, or JSON for journald and log shippers).</summary>
internal static class DaemonLogging
{
    public static ILoggerFactory Create(bool verbose, string format) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information);
        // NATS.Net's own chatter (reconnect attempts) stays out of the daemon's log unless debugging.
        builder.AddFilter("NATS", verbose ? LogLevel.Debug : LogLevel.Warning);
        if (format == "json")
        {
            builder.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffzzz ");
        }
        else if (StderrIsJournal())
        {
            // Under systemd: journald stamps each line itself, and the "<6>" priority prefix lets `journalctl -p err`
            // filter; no colour codes, which the journal would store as raw escapes.
            builder.AddSystemdConsole(o => o.TimestampFormat = null);
        }
        else
        {
            // Colours only on a terminal: the default decides on stdout, but this log goes to stderr, so a redirected
            // stderr (a file, a pipe, a service manager) would otherwise get escape sequences.
            builder.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy/MM/dd HH:mm:ss ";
                o.ColorBehavior = Console.IsErrorRedirected ? LoggerColorBehavior.Disabled : LoggerColorBehavior.Default;
            });
        }

        builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    });

    /// <summary>
    /// True when stderr is the journal stream systemd set up: <c>JOURNAL_STREAM</c> is <c>DEVICE:INODE</c> of that
    /// stream, and it is only ours if stderr is still that socket (a child whose stderr was redirected inherits the
    /// variable too).
    /// </summary>
    internal static bool StderrIsJournal()
    {
        if (Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not { } stream || stream.Split(':') is not [_, var inode])
        {
            return false;
        }

        try
        {
            // /proc/self/fd/2 reads as "socket:[INODE]" for a socket.
            return new FileInfo("/proc/self/fd/2").LinkTarget == $"socket:[{inode}]";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
