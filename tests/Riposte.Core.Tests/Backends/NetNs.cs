using System.Diagnostics;

namespace Riposte.Backends;

/// <summary>
/// A network namespace of the test's own (unique name, deleted on dispose), so kernel tests never touch the host's
/// ruleset. Tests that need one call <see cref="RequireOrSkip"/> first: they run as root with the tools installed and
/// are skipped otherwise.
/// </summary>
internal sealed class NetNs : IDisposable
{
    private static readonly ExternalCommand Host = new(null, TimeSpan.FromSeconds(30));

    private NetNs(string name)
    {
        Name = name;
        Command = new ExternalCommand(name, TimeSpan.FromSeconds(60));
    }

    public string Name { get; }

    /// <summary>Runs commands inside the namespace.</summary>
    public ExternalCommand Command { get; }

    /// <summary>Skips the test unless it runs as root and every tool (and <c>ip</c>) exists.</summary>
    public static void RequireOrSkip(params string[] tools)
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "needs root (network namespaces, netfilter)");
        foreach (var tool in tools.Append("ip"))
        {
            Assert.SkipUnless(ExternalCommand.Exists(tool), $"needs {tool}");
        }
    }

    public static NetNs Create()
    {
        var ns = new NetNs($"rpt-{Guid.NewGuid():N}"[..14]);
        Run(Host, "ip", "netns", "add", ns.Name);
        try
        {
            ns.Exec("ip", "link", "set", "lo", "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }

        return ns;
    }

    /// <summary>Runs a command in the namespace and returns its stdout; throws on a non-zero exit.</summary>
    public string Exec(params string[] argv) => Run(Command, argv);

    /// <summary>Runs a command in the namespace with stdin; returns the result whatever the exit code.</summary>
    public CommandResult Try(string? stdin, params string[] argv) => Command.RunAsync(argv, stdin, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Starts a long-running process in the namespace (the caller kills it).</summary>
    public Process Start(params string[] argv)
    {
        var start = new ProcessStartInfo(ExternalCommand.Resolve("ip"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "netns", "exec", Name, ExternalCommand.Resolve(argv[0]) }.Concat(argv.Skip(1)))
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {string.Join(' ', argv)}");
    }

    public void Dispose()
    {
        _ = Host.RunAsync(["ip", "netns", "del", Name], null, CancellationToken.None).GetAwaiter().GetResult();
    }

    private static string Run(ExternalCommand command, params string[] argv)
    {
        var result = command.RunAsync(argv, null, CancellationToken.None).GetAwaiter().GetResult();
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{string.Join(' ', argv)} exited with {result.ExitCode}: {result.Diagnostic}");
        }

        return result.Stdout;
    }
}
