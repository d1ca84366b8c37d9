using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Riposte.Backends;

/// <summary>What a finished command printed and how it exited.</summary>
internal sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>stderr (or stdout when stderr is empty) on one line, for messages.</summary>
    public string Diagnostic
    {
        get
        {
            var text = Stderr.Trim().Length > 0 ? Stderr : Stdout;
            return text.Trim().ReplaceLineEndings(" | ");
        }
    }
}

/// <summary>
/// Runs the netfilter tools (nft, ipset, iptables) the way a careful shell would not: an argument vector (no shell,
/// nothing in an address can be taken as syntax), the batch on stdin, stdout and stderr captured, a time limit, and
/// optionally inside a network namespace (<c>ip netns exec NAME</c>) so tests and benchmarks never touch the host.
/// </summary>
internal sealed class ExternalCommand
{
    private static readonly string[] SystemDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    private readonly string? _networkNamespace;
    private readonly TimeSpan _timeout;

    public ExternalCommand(string? networkNamespace, TimeSpan timeout)
    {
        _networkNamespace = networkNamespace;
        _timeout = timeout;
    }

    /// <summary>
    /// The full path of <paramref name="tool"/>: the system directories first (a daemon's PATH often lacks /usr/sbin,
    /// where the netfilter tools live), then PATH; the bare name when it is nowhere (the start then fails clearly).
    /// </summary>
    public static string Resolve(string tool)
    {
        if (tool.Contains('/', StringComparison.Ordinal))
        {
            return tool;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in SystemDirectories.Concat(path.Split(':', StringSplitOptions.RemoveEmptyEntries)))
        {
            var candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return tool;
    }

    /// <summary>True when <paramref name="tool"/> resolves to an existing file.</summary>
    public static bool Exists(string tool) => File.Exists(Resolve(tool));

    /// <summary>Runs <paramref name="argv"/> (program first) with <paramref name="stdin"/>; never throws for a non-zero exit.</summary>
    /// <exception cref="BlockBackendException">The program could not be started or ran past the time limit.</exception>
    public async Task<CommandResult> RunAsync(IReadOnlyList<string> argv, string? stdin, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (_networkNamespace is not null)
        {
            start.FileName = Resolve("ip");
            start.ArgumentList.Add("netns");
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(_networkNamespace);
            start.ArgumentList.Add(Resolve(argv[0]));
        }
        else
        {
            start.FileName = Resolve(argv[0]);
        }

        foreach (var argument in argv.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        // Messages are parsed in a few places ("No such file or directory"): keep them untranslated.
        start.Environment["LC_ALL"] = "C";

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new BlockBackendException($"could not start {Describe(argv)}");
        }
        catch (Win32Exception e)
        {
            throw new BlockBackendException($"could not start {Describe(argv)}: {e.Message}", e);
        }

        // Process.Dispose leaves the redirected streams open (they may still be in use), so they are closed here:
        // otherwise every command keeps its pipe descriptors until a finalizer runs.
        var stdinPipe = process.StandardInput;
        using var stdoutPipe = process.StandardOutput;
        using var stderrPipe = process.StandardError;
        using (process)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(_timeout);
            var stdout = stdoutPipe.ReadToEndAsync(limit.Token);
            var stderr = stderrPipe.ReadToEndAsync(limit.Token);
            try
            {
                if (stdin is not null)
                {
                    await stdinPipe.WriteAsync(stdin.AsMemory(), limit.Token);
                }

                stdinPipe.Close();
                await process.WaitForExitAsync(limit.Token);
                return new CommandResult(process.ExitCode, await stdout, await stderr);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Kill(process);
                throw new BlockBackendException($"{Describe(argv)} ran longer than {_timeout.TotalSeconds:0.#} s and was killed");
            }
            catch (IOException e)
            {
                // stdin closed early: the program died; its exit status and stderr tell why.
                await process.WaitForExitAsync(limit.Token);
                return new CommandResult(process.ExitCode, await stdout, (await stderr) + e.Message);
            }
            catch
            {
                Kill(process);
                throw;
            }
            finally
            {
                try
                {
                    stdinPipe.Dispose();
                }
                catch (IOException)
                {
                    // What was left to write has nowhere to go: the program is gone.
                }
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private string Describe(IReadOnlyList<string> argv) =>
        (_networkNamespace is null ? "" : $"ip netns exec {_networkNamespace} ") + string.Join(' ', argv);
}
