using System.ComponentModel;
using System.Diagnostics;

namespace Riposte.Sdk;

/// <summary>
/// A system tool (iptables, nft, passwd...) found in <c>$PATH</c> the way Wazuh's <c>get_binary_path</c> finds it, and
/// run with an argument vector: never through a shell, so nothing in an alert can become shell syntax. The tool gets
/// <c>LC_ALL=C</c> (its messages are then the English ones programs recognise) and an empty stdin unless input is given,
/// so it can never read the protocol lines meant for the program.
/// </summary>
public sealed class ExternalTool
{
    /// <summary>Used when <c>PATH</c> is not set at all (glibc's <c>execvp</c> default plus the sbin directories).</summary>
    public const string DefaultSearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private ExternalTool(string name, string path)
    {
        Name = name;
        Path = path;
    }

    /// <summary>The name looked up (<c>iptables</c>).</summary>
    public string Name { get; }

    /// <summary>The executable found (<c>/usr/sbin/iptables</c>).</summary>
    public string Path { get; }

    /// <summary>
    /// Finds <paramref name="name"/>: a name with a slash is taken as a path, otherwise the first absolute directory of
    /// <paramref name="searchPath"/> (default <c>$PATH</c>) holding an executable file of that name. Relative entries of
    /// the search path are skipped: programs run in the Wazuh home, where they would resolve to files of that home.
    /// </summary>
    public static ExternalTool? Find(string name, string? searchPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return IsExecutableFile(name) ? new ExternalTool(name, name) : null;
        }

        searchPath ??= Environment.GetEnvironmentVariable("PATH") ?? DefaultSearchPath;
        foreach (var directory in searchPath.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!directory.StartsWith('/'))
            {
                continue;
            }

            var candidate = System.IO.Path.Combine(directory, name);
            if (IsExecutableFile(candidate))
            {
                return new ExternalTool(name, candidate);
            }
        }

        return null;
    }

    /// <summary>
    /// What Wazuh's programs log when a tool is missing (<c>The iptables file 'iptables' is not accessible: No such file
    /// or directory (2)</c>); <paramref name="label"/> is the word Wazuh uses, which is not always the tool's name.
    /// </summary>
    public static string MissingMessage(string name, string? label = null) =>
        $"The {label ?? name} file '{name}' is not accessible: No such file or directory (2)";

    /// <summary>
    /// Runs the tool with <paramref name="arguments"/> as its argument vector and waits for it. Standard output and error
    /// are captured. With <paramref name="timeout"/>, a tool still running then is killed (with its children) and the
    /// result says so. A tool that cannot be started gives <see cref="ToolResult.Started"/> = false.
    /// </summary>
    public async Task<ToolResult> RunAsync(
        IEnumerable<string> arguments,
        string? standardInput = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var argv = arguments.ToArray();
        var start = new ProcessStartInfo(Path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in argv)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C";

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return new ToolResult(this, argv, -1, string.Empty, e.Message, started: false, timedOut: false);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The tool exited without reading all of its input; its exit status tells what happened.
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } limit)
        {
            deadline.CancelAfter(limit);
        }

        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = true;
        }

        return new ToolResult(this, argv, timedOut ? -1 : process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), started: true, timedOut);
    }

    /// <summary>The command line for logs (arguments with spaces quoted); never executed.</summary>
    public string Describe(IEnumerable<string> arguments) =>
        string.Join(' ', new[] { Name }.Concat(arguments.Select(a => a.Length == 0 || a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a)));

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

    private static bool IsExecutableFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                info = info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
            }

            return info.Exists &&
                (info.UnixFileMode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
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
