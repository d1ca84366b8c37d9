using Riposte.Config;
using Riposte.Protocol;

namespace Riposte.Protocol.Execd;

/// <summary>How execd resolves a command name to a program and a timeout.</summary>
/// <param name="Name">The AR name (or <c>!name</c>).</param>
/// <param name="ProgramPath">Relative path <c>active-response/bin/&lt;exe&gt;</c>; empty when the program is absent (execd then ignores the command silently).</param>
/// <param name="TimeoutSeconds">0 for stateless.</param>
public sealed record ArCommand(string Name, string ProgramPath, int TimeoutSeconds);

/// <summary>
/// execd's command table (<c>ReadExecConfig</c> over ar.conf lines): the first line of a name whose executable exists
/// wins; executables with a parent-folder reference are refused; <c>!name</c> runs <c>active-response/bin/name</c>
/// with timeout 0.
/// </summary>
public sealed class ArCommandTable
{
    /// <summary>Where programs live, relative to the home.</summary>
    public const string BinDirectory = "active-response/bin";

    private readonly string _home;
    private readonly IReadOnlyList<(string Name, string Executable, int Timeout)> _lines;
    private Dictionary<string, ArCommand> _table;

    /// <summary>Builds the table from ar.conf lines (as analysisd writes them) under <paramref name="home"/>.</summary>
    public ArCommandTable(string home, IEnumerable<(string Name, string Executable, int Timeout)> lines, Action<string>? warn = null)
    {
        _home = home;
        _lines = [.. lines];
        Warn = warn ?? (_ => { });
        _table = Build();
    }

    /// <summary>Builds the table a configuration's ar.conf would give.</summary>
    public static ArCommandTable FromConfig(string home, WazuhConfig config, Action<string>? warn = null) =>
        new(home, ParseArConf(ArConfWriter.Write(config)), warn);

    /// <summary>
    /// Builds the table of the ar.conf at <paramref name="path"/> (an agent's <c>HOME/etc/shared/ar.conf</c>, which the
    /// manager pushes). The file is read only when it is a regular file of at most
    /// <see cref="ConfigLimits.MaxFileBytes"/>, without blocking on a FIFO or reading a device; otherwise, or when it
    /// cannot be read, <paramref name="error"/> is told why and the table is empty (no AR command is known).
    /// </summary>
    /// <param name="home">The Wazuh home programs are resolved under.</param>
    /// <param name="path">The ar.conf file.</param>
    /// <param name="error">Receives one line when the file is refused or unreadable.</param>
    /// <param name="warn">Receives execd's warnings about the lines (1313, traversal, ...).</param>
    public static ArCommandTable FromArConfFile(string home, string path, Action<string> error, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        byte[]? bytes;
        string? refusal;
        try
        {
            bytes = BoundedFile.Read(path, out refusal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            (bytes, refusal) = (null, ex.Message);
        }

        if (bytes is null)
        {
            error($"{path}: {refusal}; no AR command is known");
            return new ArCommandTable(home, [], warn);
        }

        // As File.ReadAllText did before the read was bounded: UTF-8, a byte order mark dropped.
        var text = System.Text.Encoding.UTF8.GetString(bytes.AsSpan(bytes is [0xEF, 0xBB, 0xBF, ..] ? 3 : 0));
        return new ArCommandTable(home, ParseArConf(text, warn), warn);
    }

    private Action<string> Warn { get; }

    /// <summary>Parses ar.conf text: <c>name - executable - timeout</c> per line; bad lines are reported (1313) and skipped.</summary>
    public static List<(string Name, string Executable, int Timeout)> ParseArConf(string text, Action<string>? warn = null)
    {
        var result = new List<(string, string, int)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var first = line.IndexOf(" - ", StringComparison.Ordinal);
            var second = first < 0 ? -1 : line.IndexOf(" - ", first + 3, StringComparison.Ordinal);
            if (line.StartsWith('!') || second < 0)
            {
                warn?.Invoke("(1313): Invalid active response config: 'etc/shared/ar.conf'.");
                continue;
            }

            result.Add((line[..first], line[(first + 3)..second], CNumbers.Atoi(line.AsSpan(second + 3))));
        }

        return result;
    }

    /// <summary>Resolves a received command name; null when unknown (execd: error 1311).</summary>
    public ArCommand? Resolve(string name)
    {
        if (name.StartsWith('!'))
        {
            var script = name[1..];
            if (HasParentReference(script))
            {
                Warn($"Active response command '{script}' vulnerable to directory traversal attack. Ignoring.");
                return null;
            }

            return new ArCommand(name, $"{BinDirectory}/{script}", 0);
        }

        if (_table.TryGetValue(name, out var command) && command.ProgramPath.Length > 0)
        {
            return command;
        }

        // execd re-reads ar.conf only for unknown names, so a program installed later stays invisible for names it
        // already knew (quirk Q17); Riposte also looks again when the known program was missing.
        _table = Build();
        return _table.GetValueOrDefault(name);
    }

    private Dictionary<string, ArCommand> Build()
    {
        var table = new Dictionary<string, ArCommand>(StringComparer.Ordinal);
        foreach (var (name, executable, timeout) in _lines)
        {
            var path = "";
            if (HasParentReference(executable))
            {
                Warn($"Active response command '{executable}' vulnerable to directory traversal attack. Ignoring.");
            }
            else if (File.Exists(ProgramFile(_home, executable)))
            {
                path = $"{BinDirectory}/{executable}";
            }

            if (table.TryGetValue(name, out var existing))
            {
                if (existing.ProgramPath.Length == 0 && path.Length > 0)
                {
                    table[name] = existing with { ProgramPath = path };
                }

                continue;
            }

            table[name] = new ArCommand(name, path, timeout);
        }

        return table;
    }

    private static bool HasParentReference(string path) => path.Contains("..", StringComparison.Ordinal);

    /// <summary>
    /// The file execd checks for <paramref name="executable"/>: plain concatenation, as its snprintf does. Not
    /// Path.Combine, which returns an absolute <paramref name="executable"/> as is: <c>/bin/sh</c> would count as
    /// present while the program run is <c>active-response/bin//bin/sh</c>, which fails every alert.
    /// </summary>
    internal static string ProgramFile(string home, string executable) => $"{home}/{BinDirectory}/{executable}";

    /// <summary>For diagnostics: every known name with its resolution.</summary>
    public IEnumerable<ArCommand> Commands => _table.Values;
}
