using System.Globalization;
using System.Text;

namespace Riposte.Engine;

/// <summary>
/// Appends Riposte's own decisions to <c>logs/active-responses.log</c> in the programs' line format
/// (<c>YYYY/MM/DD HH:MM:SS name: message</c>, local time), so the file stays one readable timeline.
/// </summary>
public sealed class ActiveResponsesLog
{
    /// <summary>The name Riposte writes its lines under; it does not look like a program path, so Wazuh's <c>ar_log_json</c> decoder leaves them alone.</summary>
    public const string Name = "riposte";

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    /// <summary>Writes to <c>HOME/logs/active-responses.log</c>.</summary>
    public ActiveResponsesLog(string home, TimeProvider timeProvider)
    {
        _path = System.IO.Path.Combine(home, "logs", "active-responses.log");
        _time = timeProvider;
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
        lock (_gate)
        {
            try
            {
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_path)!);
                File.AppendAllText(_path, line, Encoding.UTF8);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
