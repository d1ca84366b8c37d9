using System.Runtime.InteropServices;
using Riposte.Backends;
using Riposte.Backends.Netlink;

namespace Riposte.Bench;

/// <summary>
/// A network namespace of the benchmark's own (unique name, deleted on dispose): every kernel change a benchmark makes
/// (nft sets, iptables rules, fail2ban's table) lands in it and never in the host's ruleset.
/// </summary>
internal sealed class BenchNamespace : IDisposable
{
    private static readonly ExternalCommand Host = new(null, TimeSpan.FromSeconds(60));

    private BenchNamespace(string name)
    {
        Name = name;
        Command = new ExternalCommand(name, TimeSpan.FromMinutes(10));
    }

    public string Name { get; }

    /// <summary>Runs commands inside the namespace (<c>ip netns exec</c>).</summary>
    public ExternalCommand Command { get; }

    /// <summary>Why kernel benchmarks cannot run here (not root, a tool missing), or null.</summary>
    public static string? WhyUnavailable(params string[] tools)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "needs root (network namespaces, netfilter)";
        }

        var missing = tools.Append("ip").FirstOrDefault(t => !ExternalCommand.Exists(t));
        return missing is null ? null : $"needs {missing}";
    }

    public static BenchNamespace Create()
    {
        var ns = new BenchNamespace($"rpb-{Guid.NewGuid():N}"[..14]);
        Run(Host, ["ip", "netns", "add", ns.Name], null);
        ns.Exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    /// <summary>Runs a command in the namespace; throws on a non-zero exit.</summary>
    public string Exec(params string[] argv) => Run(Command, argv, null);

    /// <summary>Runs a command in the namespace with <paramref name="stdin"/>; throws on a non-zero exit.</summary>
    public string ExecWithInput(string stdin, params string[] argv) => Run(Command, argv, stdin);

    /// <summary>
    /// Runs <paramref name="work"/> on <paramref name="threads"/> dedicated threads that have entered the namespace, so
    /// every process they start (posix_spawn and fork copy the calling thread's namespaces) runs inside it without an
    /// <c>ip netns exec</c> in front: the baselines pay for their own processes only. Returns the seconds taken.
    /// </summary>
    public double RunInside(int threads, Action<int> work, int count)
    {
        var next = -1;
        Exception? failure = null;
        var started = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            try
            {
                Enter();
            }
            catch (Exception e)
            {
                failure ??= e;
            }

            started.SignalAndWait();
            int i;
            while (failure is null && (i = Interlocked.Increment(ref next)) < count)
            {
                try
                {
                    work(i);
                }
                catch (Exception e)
                {
                    failure ??= e;
                }
            }
        })
        { IsBackground = true }).ToList();
        foreach (var worker in workers)
        {
            worker.Start();
        }

        started.SignalAndWait();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        foreach (var worker in workers)
        {
            worker.Join();
        }

        var seconds = watch.Elapsed.TotalSeconds;
        return failure is null ? seconds : throw new InvalidOperationException($"a run inside {Name} failed: {failure.Message}", failure);
    }

    public void Dispose() => _ = Host.RunAsync(["ip", "netns", "del", Name], null, CancellationToken.None).GetAwaiter().GetResult();

    private void Enter()
    {
        var fd = NetlinkNative.Open(NetlinkNative.PathBytes($"/run/netns/{Name}"), NetlinkNative.O_RDONLY | NetlinkNative.O_CLOEXEC);
        if (fd < 0)
        {
            throw new InvalidOperationException($"cannot open /run/netns/{Name}: {NetlinkNative.StrError(Marshal.GetLastPInvokeError())}");
        }

        try
        {
            if (NetlinkNative.SetNs(fd, NetlinkNative.CLONE_NEWNET) != 0)
            {
                throw new InvalidOperationException($"cannot enter {Name}: {NetlinkNative.StrError(Marshal.GetLastPInvokeError())}");
            }
        }
        finally
        {
            _ = NetlinkNative.Close(fd);
        }
    }

    private static string Run(ExternalCommand command, string[] argv, string? stdin)
    {
        var result = command.RunAsync(argv, stdin, CancellationToken.None).GetAwaiter().GetResult();
        return result.Succeeded ? result.Stdout : throw new InvalidOperationException($"{string.Join(' ', argv)} exited with {result.ExitCode}: {result.Diagnostic}");
    }
}
