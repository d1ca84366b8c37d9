using System.Diagnostics;
using System.Security.Cryptography;

namespace Riposte.Programs.Tests;

public enum IpFamily
{
    V4,
    V6,
}

/// <summary>
/// Two network namespaces joined by a veth pair: a "server" running a TCP listener, where the programs under test
/// run and change netfilter/routes, and a "peer" that connects to it from several addresses. The veth is created
/// inside the server namespace, so nothing (link, address, route, rule) ever exists on the host; deleting the two
/// namespaces removes every trace, rules and sets included. The addresses are IPv4 link-local (169.254/16) and an
/// IPv6 unique-local prefix: they exist only on this veth, so no probe can leave the pair, and being fixed they make
/// failures easy to read (two pairs never meet, each lives in its own namespaces).
/// </summary>
public sealed class NetnsPair : IAsyncDisposable
{
    public const int Port = 7000;

    private const string ListenerScript = """
        import os, socket, sys, threading
        # Exits when the test's end of stdin closes, so a crashed test host leaves no listener behind.
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", int(sys.argv[1])))
        s.listen(128)
        print("ready", flush=True)
        while True:
            c, _ = s.accept()
            c.close()
        """;

    private const string ProbeScript = """
        import socket, sys
        dst, src, port, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
        s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.bind((src, 0))
        try:
            s.connect((dst, port))
            print("connected")
        except OSError as e:
            print(type(e).__name__, e)
            sys.exit(1)
        """;

    private const string ServerMac = "02:52:50:54:00:01";
    private const string PeerMac = "02:52:50:54:00:02";

    private readonly List<string> _namespaces = [];
    private Process? _listener;

    private NetnsPair(string id)
    {
        Server = $"{Abandoned.Prefix}{id}-s";
        Peer = $"{Abandoned.Prefix}{id}-p";
        // Interface names are limited to 15 characters; they only need to be unique within the pair's namespaces.
        ServerLink = $"rpt{id}s";
        PeerLink = $"rpt{id}p";
    }

    /// <summary>The server namespace, where programs run.</summary>
    public string Server { get; }

    /// <summary>The peer namespace, where probes come from.</summary>
    public string Peer { get; }

    private string ServerLink { get; }

    private string PeerLink { get; }

    /// <summary>Runs a command inside the server namespace (prefix for <see cref="ArProgram"/>).</summary>
    public IReadOnlyList<string> ServerLauncher => ["ip", "netns", "exec", Server];

    public static string ServerAddress(IpFamily family) => family == IpFamily.V4 ? "169.254.77.1" : "fd00:77::1";

    /// <summary>The offender: the address the programs block.</summary>
    public static string PeerAddress(IpFamily family) => family == IpFamily.V4 ? "169.254.77.2" : "fd00:77::2";

    /// <summary>Another peer address that no test blocks: it must keep connecting while the offender is blocked.</summary>
    public static string BystanderAddress(IpFamily family) => family == IpFamily.V4 ? "169.254.77.3" : "fd00:77::3";

    /// <summary>A network that holds <see cref="RangeMembers"/> but neither the offender nor the bystander.</summary>
    public static string Range(IpFamily family) => family == IpFamily.V4 ? "169.254.77.192/26" : "fd00:77::c0/122";

    public static string[] RangeMembers(IpFamily family) =>
        family == IpFamily.V4 ? ["169.254.77.200", "169.254.77.250"] : ["fd00:77::c8", "fd00:77::fa"];

    /// <summary>The peer's addresses besides its link-local one: offender, bystander and range members of both families.</summary>
    private static IEnumerable<string> PeerAddresses =>
        new[] { IpFamily.V4, IpFamily.V6 }.SelectMany(f => new[] { PeerAddress(f), BystanderAddress(f) }.Concat(RangeMembers(f)));

    public static async Task<NetnsPair> CreateAsync()
    {
        await Abandoned.SweepOnceAsync();
        var pair = new NetnsPair(RandomNumberGenerator.GetHexString(6, lowercase: true));
        try
        {
            await pair.SetUpAsync();
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    private async Task SetUpAsync()
    {
        foreach (var ns in new[] { Server, Peer })
        {
            await Cmd.MustAsync("ip", "netns", "add", ns);
            _namespaces.Add(ns);
        }

        // nodad: duplicate address detection would keep the IPv6 addresses tentative (unusable) for about a second.
        // addrgenmode none + a fixed link-local address: the kernel's own one would appear (with its routes) a
        // second after link-up, in the middle of a test comparing route tables.
        await Batch(Server,
        [
            $"link add {ServerLink} address {ServerMac} type veth peer name {PeerLink} address {PeerMac} netns {Peer}",
            $"link set {ServerLink} addrgenmode none",
            "link set lo up",
            $"link set {ServerLink} up",
            $"addr add fe80::1/64 dev {ServerLink} nodad",
            $"addr add {ServerAddress(IpFamily.V4)}/24 dev {ServerLink}",
            $"addr add {ServerAddress(IpFamily.V6)}/64 dev {ServerLink} nodad",
            .. PeerAddresses.Prepend("fe80::2").Select(a => $"neigh add {a} lladdr {PeerMac} dev {ServerLink} nud permanent"),
        ]);
        // Permanent neighbours on both sides: the only packets are the probes' TCP. Otherwise the peer may resolve
        // the server with a neighbour solicitation sent from the blocked address (Linux takes the source of the
        // waiting packet), which the block drops, and the bystander's connection then stalls on the same entry.
        await Batch(Peer,
        [
            $"link set {PeerLink} addrgenmode none",
            "link set lo up",
            $"link set {PeerLink} up",
            $"addr add fe80::2/64 dev {PeerLink} nodad",
            .. PeerAddresses.Select(a => a.Contains(':', StringComparison.Ordinal) ? $"addr add {a}/64 dev {PeerLink} nodad" : $"addr add {a}/24 dev {PeerLink}"),
            .. new[] { "fe80::1", ServerAddress(IpFamily.V4), ServerAddress(IpFamily.V6) }.Select(a => $"neigh add {a} lladdr {ServerMac} dev {PeerLink} nud permanent"),
        ]);

        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "netns", "exec", Server, HostRequirements.Python3, "-c", ListenerScript, Port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        _listener = Process.Start(start) ?? throw new InvalidOperationException("cannot start the listener");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(15));
        var ready = await _listener.StandardOutput.ReadLineAsync(limit.Token);
        if (ready != "ready")
        {
            throw new InvalidOperationException($"listener in {Server} did not start: {await _listener.StandardError.ReadToEndAsync(limit.Token)}");
        }
    }

    private static async Task Batch(string ns, params string[] commands)
    {
        var result = await Cmd.RunAsync(["ip", "-n", ns, "-batch", "-"], string.Join('\n', commands) + "\n");
        if (!result.Ok)
        {
            throw new InvalidOperationException($"{result}\nfor:\n{string.Join('\n', commands)}");
        }
    }

    /// <summary>
    /// A TCP connect from <paramref name="from"/> (default: the offender) in the peer namespace to the listener.
    /// The time limit only matters when the connect fails: between two namespaces a connect that is let through
    /// completes in well under a millisecond.
    /// </summary>
    public async Task<(bool Connected, string Detail)> ProbeAsync(IpFamily family, string? from = null, double timeoutSeconds = 5)
    {
        var source = from ?? PeerAddress(family);
        var result = await Cmd.RunAsync(
            "ip", "netns", "exec", Peer, HostRequirements.Python3, "-c", ProbeScript, ServerAddress(family), source,
            Port.ToString(System.Globalization.CultureInfo.InvariantCulture), timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return (result.Ok, $"[{source}]:* -> [{ServerAddress(family)}]:{Port}: {result.Stdout.Trim()}{result.Stderr.Trim()}");
    }

    public async Task<bool> CanConnectAsync(IpFamily family, string? from = null) => (await ProbeAsync(family, from)).Connected;

    public async Task ShouldConnectAsync(IpFamily family, string? from = null, string? because = null)
    {
        var (connected, detail) = await ProbeAsync(family, from);
        connected.ShouldBeTrue($"expected the connection to go through{(because is null ? "" : " " + because)}: {detail}");
    }

    /// <summary>
    /// The connect from <paramref name="from"/> fails, while one from the bystander still works: that proves the
    /// listener is alive and that only the offender was blocked.
    /// </summary>
    public async Task ShouldBeBlockedAsync(IpFamily family, string? from = null, string? because = null)
    {
        var blocked = ProbeAsync(family, from, timeoutSeconds: 0.8);
        var bystander = ProbeAsync(family, BystanderAddress(family));
        var (connected, detail) = await blocked;
        connected.ShouldBeFalse($"expected the connection to be blocked{(because is null ? "" : " " + because)}: {detail}");
        var (bystanderConnected, bystanderDetail) = await bystander;
        bystanderConnected.ShouldBeTrue($"a bystander must still connect while {from ?? PeerAddress(family)} is blocked: {bystanderDetail}");
    }

    /// <summary>Runs a command inside the server namespace.</summary>
    public Task<CmdResult> ServerRunAsync(params string[] argv) => Cmd.RunAsync([.. ServerLauncher, .. argv]);

    /// <summary>Runs a command inside the server namespace that must succeed; returns its stdout.</summary>
    public async Task<string> ServerMustAsync(params string[] argv)
    {
        var result = await ServerRunAsync(argv);
        return result.Ok ? result.Stdout : throw new InvalidOperationException(result.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is not null)
        {
            try
            {
                _listener.StandardInput.Close();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                await _listener.WaitForExitAsync(wait.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                _listener.Kill(entireProcessTree: true);
            }

            _listener.Dispose();
        }

        foreach (var ns in _namespaces)
        {
            await Cmd.RunAsync(["ip", "netns", "del", ns], cleanup: true);
        }
    }
}
