using Riposte.Nats;

namespace Riposte.Fleet;

/// <summary>
/// Several managers (a Wazuh cluster: each node reads its own alerts.json) share the streams: every command is applied
/// once, an alert both nodes read is applied once, and each manager sees every outcome.
/// </summary>
public sealed class FleetClusterOfManagersTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private const string LocalBlock =
        "<active-response><command>firewall-drop</command><location>local</location><rules_id>101</rules_id><timeout>600</timeout></active-response>";

    [Fact]
    public async Task Two_managers_publish_to_the_same_streams_without_duplicates_and_both_see_every_outcome()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        await using var nats = await NatsServerProcess.StartAsync(cancellationToken: Ct);
        using var first = new FleetHomes(LocalBlock);
        using var second = new FleetHomes(LocalBlock);
        File.WriteAllText(Path.Combine(second.Manager.Path, "etc", "riposte.json"),
            """{ "safety": { "never_block_self": false }, "fleet": { "node_name": "m2" } }""");
        var home = first.AddAgentHome(["firewall-drop600"]);
        first.Enrol(FleetHomes.Agent("001"));
        second.Enrol(FleetHomes.Agent("001"));

        first.Alert("101", "001", "192.0.2.1", "7.1");
        second.Alert("101", "001", "192.0.2.2", "7.2");
        // The same alert, byte for byte, on both nodes (e.g. a node re-reading after a failover): one command.
        first.Alert("101", "001", "192.0.2.3", "7.3");
        second.Alert("101", "001", "192.0.2.3", "7.3");

        await using var m1 = first.StartManager(nats.Url);
        await using var m2 = second.StartManager(nats.Url);
        await using var agent = FleetHomes.StartAgent(home, "001", nats.Url);

        await TestHome.WaitForAsync(() => home.Events().Length >= 3, "three adds", 60_000);
        await Task.Delay(1500, Ct);
        home.Events().Order().ShouldBe(["add 192.0.2.1", "add 192.0.2.2", "add 192.0.2.3"], ignoreOrder: false, customMessage: $"{agent.Log}\n{m1.Log}\n{m2.Log}");

        foreach (var manager in new[] { first.Manager, second.Manager })
        {
            await FleetHomes.WaitForHistoryAsync(manager, "001", 30_000, "192.0.2.1", "192.0.2.2", "192.0.2.3");
        }
    }
}
