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
        if (entries.Count == 0)
        {
            if (!AnswersConnect(path))
            {
                return CheckResult.Pass(Id, subject, $"{path} is a leftover socket nobody is bound to; serve --execq replaces it");
            }

            return CheckResult.Fail(Id, subject, $"{path}: a process is bound to it (not visible in this network namespace's /proc/net/unix)",
                "stop the process that binds it (wazuh-execd: see README, 'In place of wazuh-execd') before serve --execq");
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

    /// <summary>connect() on a datagram socket succeeds only when a process is bound there; nothing is sent.</summary>
    private static bool AnswersConnect(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
