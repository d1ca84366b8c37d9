using System.Diagnostics;

namespace Riposte.Backends;

/// <summary>
/// Real packets: a server namespace with a TCP listener (a python3 child) and a client namespace joined by a veth
/// pair. The client's address is blocked in the server's kernel by a backend and the client probes the listener:
/// the connection must fail while blocked and work again once unblocked.
/// </summary>
public sealed class BlockTrafficTests
{
    private const int Port = 8765;

    private const string Listener = """
        import socket, sys
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::", int(sys.argv[1])))
        s.listen(64)
        print("ready", flush=True)
        while True:
            c, _ = s.accept()
            c.close()
        """;

    private const string Probe = """
        import socket, sys
        try:
            socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3])).close()
            print("open")
        except OSError as e:
            print("closed", e)
        """;

    public static TheoryData<string, bool> Cases => new()
    {
        { "nft", false }, { "nft", true }, { "nft-script", false }, { "ipset", false }, { "ipset", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_blocked_client_cannot_connect_and_can_again_once_unblocked(string backendKind, bool ipv6)
    {
        NetNs.RequireOrSkip(backendKind.StartsWith("nft", StringComparison.Ordinal) ? ["nft", "python3"] : ["ipset", "iptables", "ip6tables", "python3"]);
        using var server = NetNs.Create();
        using var client = NetNs.Create();
        server.Exec("ip", "link", "add", "vs", "type", "veth", "peer", "name", "vc", "netns", client.Name);
        Configure(server, "vs", "10.200.0.1/24", "fd00:200::1/64");
        Configure(client, "vc", "10.200.0.2/24", "fd00:200::2/64");
        var serverAddress = ipv6 ? "fd00:200::1" : "10.200.0.1";
        var clientAddress = ipv6 ? "fd00:200::2" : "10.200.0.2";
        var network = ipv6 ? "fd00:200::/64" : "10.200.0.0/24";

        IBlockBackend backend = backendKind switch
        {
            "nft" => new NftSetBackend(new NftSetOptions { NetworkNamespace = server.Name }),
            "nft-script" => new NftSetBackend(new NftSetOptions { NetworkNamespace = server.Name, WriteMode = NftWriteMode.Script }),
            _ => new IpsetBackend(new IpsetOptions { NetworkNamespace = server.Name }),
        };
        using var listener = server.Start(Python(), "-c", Listener, Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            (await listener.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken)).ShouldBe("ready");
            await backend.EnsureReadyAsync(TestContext.Current.CancellationToken);
            ProbeFrom(client, serverAddress).ShouldBe("open");

            await backend.ApplyAsync([BlockChange.Add(clientAddress, TimeSpan.FromMinutes(5))], TestContext.Current.CancellationToken);
            ProbeFrom(client, serverAddress).ShouldStartWith("closed");

            await backend.ApplyAsync([BlockChange.Remove(clientAddress)], TestContext.Current.CancellationToken);
            ProbeFrom(client, serverAddress).ShouldBe("open");

            await backend.ApplyAsync([BlockChange.Add(network)], TestContext.Current.CancellationToken);
            ProbeFrom(client, serverAddress).ShouldStartWith("closed");

            await backend.ApplyAsync([BlockChange.Remove(network)], TestContext.Current.CancellationToken);
            ProbeFrom(client, serverAddress).ShouldBe("open");
        }
        finally
        {
            (backend as IDisposable)?.Dispose();
            Stop(listener);
        }
    }

    private static void Configure(NetNs ns, string device, string v4, string v6)
    {
        ns.Exec("ip", "addr", "add", v4, "dev", device);
        // nodad: the address is usable at once instead of after duplicate address detection (about a second).
        ns.Exec("ip", "-6", "addr", "add", v6, "dev", device, "nodad");
        ns.Exec("ip", "link", "set", device, "up");
    }

    private static string ProbeFrom(NetNs client, string address)
    {
        var output = client.Exec(Python(), "-c", Probe, address, Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "1.0");
        return output.Trim();
    }

    // The system interpreter, not a version manager's shim (which costs a tenth of a second per start).
    private static string Python() => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private static void Stop(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        // Process.Dispose leaves redirected streams open; the descriptor-counting tests must not see them closed later.
        process.StandardOutput.Dispose();
        process.StandardError.Dispose();
    }
}
