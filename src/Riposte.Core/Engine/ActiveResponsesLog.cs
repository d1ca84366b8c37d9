using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Riposte.State;

namespace Riposte.Engine;

/// <summary>
/// Appends Riposte's own decisions to <c>logs/active-responses.log</c> in the programs' line format
/// (<c>YYYY/MM/DD HH:MM:SS name: message</c>, local time), so the file stays one readable timeline.
/// </summary>
/// <remarks>
/// Riposte runs as root and the log directory is writable by Wazuh's group, so the file is opened without following
/// a symbolic link and must be a regular file; a file Riposte creates is <see cref="FileMode"/> (Wazuh installs it
/// 0660 root:wazuh) whatever the umask, a missing <c>logs</c> directory 0750, and no byte-order mark is ever written.
/// A line that cannot be written is dropped and the failure logged once until writing works again: the engine never
/// stops for its log.
/// </remarks>
public sealed class ActiveResponsesLog
{
    /// <summary>The name Riposte writes its lines under; it does not look like a program path, so Wazuh's <c>ar_log_json</c> decoder leaves them alone.</summary>
    public const string Name = "riposte";

    /// <summary>The mode of a log file Riposte creates: Wazuh's <c>rw-rw----</c>, so its group's readers keep working.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private string? _reportedFailure;

    /// <summary>Writes to <c>HOME/logs/active-responses.log</c>; failures go to <paramref name="logger"/>.</summary>
    public ActiveResponsesLog(string home, TimeProvider timeProvider, ILogger? logger = null)
    {
        _path = System.IO.Path.Combine(home, "logs", "active-responses.log");
        _time = timeProvider;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The log file.</summary>
    public string Path => _path;

    /// <summary>Formats a line exactly as Wazuh's <c>write_debug_file</c> does.</summary>
    public static string Format(DateTimeOffset localTime, string name, string message) =>
        string.Create(CultureInfo.InvariantCulture, $"{localTime:yyyy'/'MM'/'dd HH':'mm':'ss} {name}: {message}\n");

    /// <summary>Appends one line under Riposte's name; failures to write never stop the engine.</summary>
    public void Write(string message) => Append(Format(_time.GetLocalNow(), Name, message.Replace('\n', ' ')));

    /// <summary>
    /// Appends a line under a program's name (its argv0), as the program itself would: the in-process fast path keeps
    /// the log identical to a spawned run, so Wazuh's decoders and rules see the same lines. A message ending in a
    /// newline gives the blank line Wazuh's helper writes after an input line.
    /// </summary>
    public void WriteAs(string program, string message) => Append(Format(_time.GetLocalNow(), program, message));

    private void Append(string line)
    {
        // UTF8.GetBytes never adds a preamble: the file must start with the first line, as Wazuh's does.
        var bytes = Encoding.UTF8.GetBytes(line);
        lock (_gate)
        {
            try
            {
                SecureDirectory.Ensure(System.IO.Path.GetDirectoryName(_path)!, SecureDirectory.GroupReadable, SecureDirectory.GroupReadable);
                using var handle = AppendOnlyFile.Open(_path, FileMode);
                AppendOnlyFile.Append(handle, bytes);
                _reportedFailure = null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (_reportedFailure != e.Message)
                {
                    _reportedFailure = e.Message;
                    _logger.LogError("Cannot write {Log}: {Reason}; its lines are dropped until this is fixed", _path, e.Message);
                }
            }
        }
    }
}
