using Microsoft.Extensions.Logging;

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
        else
        {
            builder.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy/MM/dd HH:mm:ss "; });
        }

        builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    });
}
