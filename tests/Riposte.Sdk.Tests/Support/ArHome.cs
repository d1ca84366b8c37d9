using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Riposte.Support;

/// <summary>
/// A throw-away Wazuh home for running the built <c>riposte-ar</c> exactly as execd does: installed under a program's
/// name in <c>active-response/bin/</c>, started as <c>active-response/bin/&lt;name&gt;</c> from the home, with a
/// <c>PATH</c> holding only fake tools that record their argument vectors (and stdin) instead of touching the system.
/// </summary>
internal sealed class ArHome : IDisposable
{
    private readonly TempDirectory _root = new();

    public ArHome()
    {
        Directory.CreateDirectory(Combine("logs"));
        Directory.CreateDirectory(Combine("active-response", "bin"));
        Directory.CreateDirectory(ToolDirectory);
    }

    /// <summary>The built riposte-ar (apphost of the test configuration).</summary>
    public static string Executable { get; } = typeof(ArHome).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RiposteArPath").Value!;

    public string Root => _root.Path;

    public string ToolDirectory => Combine("fakebin");

    public string LogPath => Combine("logs", "active-responses.log");

    public string Log => File.Exists(LogPath) ? File.ReadAllText(LogPath) : string.Empty;

    /// <summary>The message part of each log line (after <c>argv0: </c>); the lines that follow input lines are empty.</summary>
    public string[] LogMessages => Log.Split('\n')[..^1].Select(line => line.Length == 0 ? line : line[(line.IndexOf(": ", StringComparison.Ordinal) + 2)..]).ToArray();

    public string Combine(params string[] parts) => _root.Combine(parts);

    /// <summary>
    /// A fake tool: records <c>name\targ1\targ2...</c> in the calls file, then runs <paramref name="script"/> (sh; the
    /// arguments are in "$@", stdin can be saved with <c>/bin/cat &gt;&gt; "$STDIN_FILE"</c>) and exits 0 unless the script exits.
    /// </summary>
    public void FakeTool(string name, string script = "")
    {
        var path = Path.Combine(ToolDirectory, name);
        File.WriteAllText(path, $$"""
            #!/bin/sh
            { printf '%s' '{{name}}'; for a in "$@"; do printf '\t%s' "$a"; done; printf '\n'; } >> '{{Combine("calls.txt")}}'
            STDIN_FILE='{{Combine($"stdin-{name}.txt")}}'
            {{script}}
            exit 0

            """);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    /// <summary>Every recorded tool call: the tool name followed by its arguments.</summary>
    public string[][] Calls => File.Exists(Combine("calls.txt"))
        ? [.. File.ReadAllLines(Combine("calls.txt")).Select(line => line.Split('\t'))]
        : [];

    /// <summary>The recorded calls as readable command lines.</summary>
    public string[] CallLines => [.. Calls.Select(call => string.Join(' ', call))];

    /// <summary>What a fake tool saved from its stdin.</summary>
    public string ToolInput(string name) => File.Exists(Combine($"stdin-{name}.txt")) ? File.ReadAllText(Combine($"stdin-{name}.txt")) : string.Empty;

    /// <summary>
    /// Runs <paramref name="program"/> as execd does (cwd = home, argv0 = <c>active-response/bin/&lt;program&gt;</c>) with
    /// <paramref name="stdin"/>, or, when <paramref name="multiCall"/> is set, as <c>riposte-ar</c> with RIPOSTE_PROGRAM.
    /// </summary>
    public async Task<RunResult> RunAsync(string program, string stdin, IDictionary<string, string>? environment = null, bool multiCall = false)
    {
        string argv0;
        if (multiCall)
        {
            argv0 = Executable;
        }
        else
        {
            argv0 = $"active-response/bin/{program}";
            var link = Combine("active-response", "bin", program);
            if (!File.Exists(link))
            {
                File.CreateSymbolicLink(link, Executable);
            }
        }

        // sh only sets argv0 the way execd does (relative to the home); the program itself never uses a shell.
        var start = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = Root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\"");
        start.ArgumentList.Add(argv0);
        start.Environment["PATH"] = ToolDirectory;
        start.Environment.Remove("RIPOSTE_PROGRAM");
        start.Environment.Remove("RIPOSTE_HOSTS_DENY");
        if (multiCall)
        {
            start.Environment["RIPOSTE_PROGRAM"] = program;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        await process.WaitForExitAsync(timeout.Token);
        return new RunResult(process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => _root.Dispose();

    public sealed record RunResult(int ExitCode, string Stdout, string Stderr);
}
