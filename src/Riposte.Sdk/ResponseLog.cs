using System.Globalization;
using System.Text;

namespace Riposte.Sdk;

/// <summary>
/// Wazuh's <c>write_debug_file</c>: appends <c>YYYY/MM/DD HH:MM:SS &lt;argv0&gt;: &lt;message&gt;\n</c> (local time) to
/// <c>logs/active-responses.log</c>. Wazuh's ruleset (decoder <c>ar_log_json</c>, rules 650–658) reads this file, so
/// the bytes must not change. Each line is one <c>write(2)</c> on an <c>O_APPEND</c> descriptor, so programs running in
/// parallel never interleave or overwrite lines. Like Wazuh, a log that cannot be opened is silently skipped. Unlike
/// Wazuh (programs run as root), a symbolic link in its place is never followed and a FIFO never blocks the program,
/// and a log the program creates is at most 0660 (Wazuh's mode for it), not 0644.
/// </summary>
public sealed class ResponseLog
{
    private readonly byte[] _prefix;
    private readonly TimeProvider _time;

    /// <summary>A log written under <paramref name="argv0"/> (the program path as invoked, e.g. <c>active-response/bin/firewall-drop</c>).</summary>
    public ResponseLog(string path, string argv0, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(argv0);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Path = path;
        Argv0 = argv0;
        _time = timeProvider;
        _prefix = Encoding.UTF8.GetBytes(argv0);
    }

    /// <summary>The log file.</summary>
    public string Path { get; }

    /// <summary>The name each line carries.</summary>
    public string Argv0 { get; }

    /// <summary>Appends one line.</summary>
    public void Write(string message) => Write(Encoding.UTF8.GetBytes(message ?? string.Empty));

    /// <summary>
    /// Appends one line with the message bytes as they are: a line read from stdin is logged with its own trailing
    /// newline, so (as in Wazuh) an empty line follows it.
    /// </summary>
    public void Write(ReadOnlySpan<byte> message)
    {
        var line = Format(_time.GetLocalNow(), _prefix, message);
        var fd = Native.Open(Path, Native.O_WRONLY | Native.O_CREAT | Native.O_APPEND | Native.O_NOFOLLOW | Native.O_NONBLOCK | Native.O_NOCTTY, 0b110_110_000);
        if (fd < 0)
        {
            return;
        }

        try
        {
            Native.WriteAll(fd, line);
        }
        finally
        {
            Native.Close(fd);
        }
    }

    /// <summary>The exact bytes of one line (<c>%d/%02d/%02d %02d:%02d:%02d &lt;argv0&gt;: &lt;message&gt;\n</c>).</summary>
    public static byte[] Format(DateTimeOffset localTime, string argv0, ReadOnlySpan<byte> message) =>
        Format(localTime, Encoding.UTF8.GetBytes(argv0 ?? string.Empty), message);

    private static byte[] Format(DateTimeOffset localTime, byte[] argv0, ReadOnlySpan<byte> message)
    {
        var stamp = localTime.ToString("yyyy'/'MM'/'dd HH':'mm':'ss", CultureInfo.InvariantCulture);
        var line = new byte[stamp.Length + 1 + argv0.Length + 2 + message.Length + 1];
        var at = Encoding.ASCII.GetBytes(stamp, line);
        line[at++] = (byte)' ';
        argv0.CopyTo(line, at);
        at += argv0.Length;
        line[at++] = (byte)':';
        line[at++] = (byte)' ';
        message.CopyTo(line.AsSpan(at));
        at += message.Length;
        line[at] = (byte)'\n';
        return line;
    }
}
