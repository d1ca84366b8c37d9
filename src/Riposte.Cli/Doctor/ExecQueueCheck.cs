using System.Net.Sockets;

namespace Riposte.Cli.Doctor;

/// <summary>
/// Whether another process (normally wazuh-execd) is bound to Wazuh's exec queue, <c>HOME/queue/alerts/execq</c>: then
/// analysisd's and agentd's messages go to it, and <c>serve --execq</c> refuses to start. Read from
/// <c>/proc/net/unix</c> and <c>/proc/PID/fd</c>; when the kernel's table does not list it (another network namespace),
/// a <c>connect()</c> without any send decides, as the listener's own start-up check does.
/// </summary>
internal sealed class ExecQueueCheck : IDoctorCheck
{
    /// <inheritdoc />
    public string Id => "execq";

    /// <inheritdoc />
    public string Title => "Exec queue";

    /// <inheritdoc />
    public Task<IReadOnlyList<CheckResult>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var path = context.Layout.ExecQueue;
        return Task.FromResult<IReadOnlyList<CheckResult>>([Judge(path)]);
    }

    private CheckResult Judge(string path)
    {
        var subject = "queue/alerts/execq";
        if (UnixFileFacts.Exists(path) is null)
        {
            return CheckResult.Warn(Id, subject, $"cannot see {path} as this user (queue/ is closed to others)", "run riposte doctor as root (the user serve runs as)");
        }

        if (UnixFileFacts.Of(path) is not { } facts)
        {
            return CheckResult.Pass(Id, subject, $"{path} is free: nothing is bound there (serve --execq binds it)");
        }

        if (!facts.IsSocket)
        {
            return CheckResult.Fail(Id, subject, $"{path} exists and is not a socket: serve --execq refuses to replace it",
                $"look at what it is (ls -l {path}), then remove it: rm {path}");
        }

        var entries = UnixSocketTable.BoundTo(path);
        var connect = Connect(path);
        // A refused connect() is certain: nobody is bound to this file, whatever /proc lists for a relative path that
        // only looks the same (another Wazuh home binding "queue/alerts/execq" from its own directory).
        if (connect == Binding.Nobody)
        {
            return CheckResult.Pass(Id, subject, $"{path} is a leftover socket nobody is bound to; serve --execq replaces it");
        }

        if (entries.Count == 0)
        {
            return connect == Binding.Someone
                ? CheckResult.Fail(Id, subject, $"{path}: a process is bound to it (bound through another path, or in another network namespace: /proc/net/unix does not list it)",
                    "stop the process that binds it (wazuh-execd: see README, 'In place of wazuh-execd') before serve --execq")
                : CheckResult.Warn(Id, subject, $"{path}: cannot tell whether a process is bound to it (connect refused to this user)",
                    "run riposte doctor as root (the user serve runs as)");
        }

        var holders = entries.SelectMany(e => UnixSocketTable.Holders(e.Inode)).Distinct().Order().ToList();
        if (holders.Count == 0)
        {
            return CheckResult.Fail(Id, subject, $"{path} is bound by a process this user cannot see",
                "run riposte doctor as root to see which; stop it (wazuh-execd: see README, 'In place of wazuh-execd') before serve --execq");
        }

        var described = string.Join(", ", holders.Select(pid => $"{UnixSocketTable.CommandName(pid) ?? "?"} (pid {pid})"));
        if (holders.All(IsRiposte))
        {
            return CheckResult.Pass(Id, subject, $"{path} is bound by Riposte: {described}");
        }

        return CheckResult.Fail(Id, subject,
            $"{path} is held by {described}: analysisd and agentd deliver to it, not to Riposte, and serve --execq refuses to start",
            $"stop it (kill {string.Join(' ', holders)}) and keep Wazuh from starting it again (README, 'In place of wazuh-execd'); " +
            "if Riposte only follows alerts.json beside Wazuh, move the <active-response> blocks out of Wazuh's ossec.conf instead");
    }

    /// <summary>A Riposte daemon: it runs <c>riposte</c> (the apphost), or <c>dotnet [exec ...] riposte.dll</c>.</summary>
    private static bool IsRiposte(int pid)
    {
        var arguments = UnixSocketTable.Arguments(pid);
        return arguments.Count > 0 && (Path.GetFileName(arguments[0]) == "riposte" || arguments.Any(a => Path.GetFileName(a) == "riposte.dll"));
    }

    /// <summary>
    /// connect() on a datagram socket succeeds only when a process is bound there, and sends nothing (unlike even an
    /// empty datagram, which the listener would receive).
    /// </summary>
    private static Binding Connect(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return Binding.Someone;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return Binding.Nobody;
        }
        catch (SocketException)
        {
            // EACCES on a 0660 socket for another user: no answer either way.
            return Binding.Unknown;
        }
    }

    private enum Binding
    {
        Someone,
        Nobody,
        Unknown,
    }
}
