namespace Riposte.Sdk;

/// <summary>Everything one run of a program works with: the message, the log, the home, tools and locks.</summary>
public sealed class ResponseContext
{
    private readonly ResponseRunOptions _options;

    internal ResponseContext(ResponseMessage message, ResponseCommand command, string argv0, string home, ResponseLog log, ResponseRunOptions options)
    {
        Message = message;
        Command = command;
        Argv0 = argv0;
        Home = home;
        Log = log;
        _options = options;
    }

    /// <summary>The first line, parsed.</summary>
    public ResponseMessage Message { get; }

    /// <summary>Add or delete.</summary>
    public ResponseCommand Command { get; }

    /// <summary>The program path as invoked (<c>active-response/bin/firewall-drop</c>); every log line carries it.</summary>
    public string Argv0 { get; }

    /// <summary>The basename of <see cref="Argv0"/>, which is also the <c>origin.name</c> of <c>check_keys</c>.</summary>
    public string ProgramName => ResponseProgram.BaseName(Argv0);

    /// <summary>The Wazuh home.</summary>
    public string Home { get; }

    /// <summary>The program log (<c>logs/active-responses.log</c>).</summary>
    public ResponseLog Log { get; }

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider => _options.TimeProvider;

    /// <summary>The keys sent in <c>check_keys</c> (also set for deletes and stateless programs).</summary>
    public IReadOnlyList<string> Keys { get; internal set; } = [];

    /// <summary>Appends a line to the program log.</summary>
    public void WriteLog(string message) => Log.Write(message);

    /// <summary>An environment variable (through <see cref="ResponseRunOptions.Environment"/>).</summary>
    public string? GetEnvironmentVariable(string name) => _options.Environment(name);

    /// <summary>The valid source IP, or stops the run with <paramref name="message"/> and exit code 255 (Wazuh).</summary>
    /// <exception cref="ResponseException">No valid source IP.</exception>
    public string RequireSourceIp(string message = WazuhMessages.SourceIpMissing) =>
        Message.SourceIp ?? throw new ResponseException(message);

    /// <summary>The valid account name, or stops the run with <paramref name="message"/> and exit code 255 (Wazuh).</summary>
    /// <exception cref="ResponseException">No valid account name.</exception>
    public string RequireDestinationUser(string message = WazuhMessages.DestinationUserMissing) =>
        Message.DestinationUser ?? throw new ResponseException(message);

    /// <summary>A tool from the search path, or null.</summary>
    public ExternalTool? FindTool(string name) => ExternalTool.Find(name, _options.SearchPath);

    /// <summary>
    /// A tool from the search path, or stops the run as Wazuh does when one is missing: logs
    /// <c>The &lt;label&gt; file '&lt;name&gt;' is not accessible: ...</c> and exits with <paramref name="exitCode"/> (0 for most
    /// Wazuh programs, 255 for firewalld-drop), without <c>Ended</c>.
    /// </summary>
    /// <exception cref="ResponseException">The tool is missing.</exception>
    public ExternalTool RequireTool(string name, string? label = null, int exitCode = 0) =>
        FindTool(name) ?? throw new ResponseException(ExternalTool.MissingMessage(name, label), exitCode);

    /// <summary>
    /// Takes the program-wide lock <paramref name="name"/> (<c>HOME/var/run/riposte-&lt;name&gt;.lock</c>, flock), waiting at
    /// most <see cref="ResponseRunOptions.LockTimeout"/>; otherwise stops the run with Wazuh's
    /// <c>Unable to take lock. End.</c> and exit code 255.
    /// </summary>
    /// <exception cref="ResponseException">The lock could not be taken.</exception>
    public async Task<FileLock> LockAsync(string name, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Home, "var", "run", $"riposte-{name}.lock");
        try
        {
            return await FileLock.AcquireAsync(path, _options.LockTimeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or TimeoutException or UnauthorizedAccessException)
        {
            WriteLog(e.Message);
            throw new ResponseException(WazuhMessages.UnableToTakeLock, e);
        }
    }
}
