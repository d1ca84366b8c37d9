using Microsoft.Extensions.Time.Testing;
using Riposte.Sdk;

namespace Riposte.Support;

/// <summary>Runs a program in memory through <see cref="ResponseProgram.RunAsync"/>, with a fixed clock in UTC and a temp log.</summary>
internal sealed class SdkRun : IDisposable
{
    private readonly TempDirectory _home = new();

    public SdkRun(DateTimeOffset? now = null)
    {
        Directory.CreateDirectory(_home.Combine("logs"));
        Time = new FakeTimeProvider(now ?? new DateTimeOffset(2025, 11, 27, 10, 11, 58, TimeSpan.Zero));
        Time.SetLocalTimeZone(TimeZoneInfo.Utc);
    }

    public FakeTimeProvider Time { get; }

    public string Home => _home.Path;

    public string LogPath => _home.Combine("logs", "active-responses.log");

    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : string.Empty;

    public string[] LogMessages => Log.Split('\n')[..^1].Select(line => line.Length == 0 ? line : line[(line.IndexOf(": ", StringComparison.Ordinal) + 2)..]).ToArray();

    public ResponseRunOptions Options => new() { Home = Home, TimeProvider = Time, SearchPath = _home.Combine("bin") };

    /// <summary>Runs with line 1 and, when the program writes a line, the answer <paramref name="answer"/> gives (null: end stdin).</summary>
    public async Task<(int ExitCode, string Stdout)> RunAsync(ResponseProgram program, string first, Func<string, string?>? answer = null, string argv0 = "active-response/bin/firewall-drop")
    {
        var pipe = new ExecdPipe(first, answer);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var exit = await ResponseProgram.RunAsync(program, argv0, pipe.Stdin, pipe.Stdout, Options, timeout.Token);
        return (exit, pipe.Output);
    }

    public void Dispose() => _home.Dispose();
}
