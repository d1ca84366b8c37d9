using System.Net.Sockets;
using System.Text;
using Riposte.Nats;

namespace Riposte.Fleet;

/// <summary>A Riposte agent also takes Wazuh's exec-queue datagrams from a local wazuh-agentd, beside its fleet commands.</summary>
public sealed class FleetAgentExecQueueTests
{
    [Fact]
    public async Task An_agent_with_execq_runs_what_agentd_sends_and_reports_it_to_the_manager()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        await using var nats = await NatsServerProcess.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var fleet = new FleetHomes(
            "<active-response><command>firewall-drop</command><location>local</location><rules_id>101</rules_id><timeout>600</timeout></active-response>");
        var home = fleet.AddAgentHome(["firewall-drop600"]);
        fleet.Enrol(FleetHomes.Agent("001"));
        await using var manager = fleet.StartManager(nats.Url);
        await using var agent = FleetHomes.StartAgent(home, "001", nats.Url, "--execq");
        var queue = Path.Combine(home.Path, "queue", "alerts", "execq");
        await TestHome.WaitForAsync(() => File.Exists(queue), "the exec queue", 30_000);

        // What wazuh-agentd forwards from remoted: the body alone.
        var body = """{"version":1,"origin":{"name":"node01","module":"wazuh-analysisd"},"command":"firewall-drop600","parameters":{"extra_args":[],"alert":{"rule":{"id":"101"},"data":{"srcip":"192.0.2.44"}}}}""";
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            socket.Connect(new UnixDomainSocketEndPoint(queue));
            socket.Send(Encoding.UTF8.GetBytes(body));
        }

        await TestHome.WaitForAsync(() => home.Events().Contains("add 192.0.2.44"), "the add", 30_000);
        await FleetHomes.WaitForHistoryAsync(fleet.Manager, "001", 30_000, "192.0.2.44");
    }
}
