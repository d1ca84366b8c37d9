using Riposte.Alerts;
using Riposte.Config;
using Riposte.Config.Settings;
using Riposte.Fleet.Registry;
using Riposte.Matching;

namespace Riposte.Fleet.Routing;

public sealed class FleetRouterTests
{
    private static readonly ManagerDestination Manager = ManagerDestination.Instance;

    /// <summary>001, 002 Riposte agents in web; 003 Riposte in db with env=prod; 005 a Wazuh 4.0.0 agent in web, env=prod.</summary>
    private static readonly AgentRegistry Registry = new(
    [
        Agent("003", ["db"], new() { ["env"] = "prod", ["tier"] = "back" }),
        Agent("001", ["web"], new() { ["env"] = "prod" }),
        Agent("002", ["web"], new() { ["env"] = "test" }),
        new EnrolledAgent("005", ["web"], new Dictionary<string, string> { ["env"] = "prod" }, AgentTransport.Wazuh, "4.0.0"),
        Agent("1000", [], []),
    ]);

    private static EnrolledAgent Agent(string id, string[] groups, Dictionary<string, string> labels) => new(id, groups, labels);

    private static ActiveResponseDefinition Block(ArLocation location, string text, int agentId = 0) => new()
    {
        BlockIndex = 0,
        Position = default,
        Status = ResponseStatus.Active,
        Name = "firewall-drop600",
        CommandName = "firewall-drop",
        Command = new CommandDefinition("firewall-drop", "firewall-drop", true, null, default),
        Location = location,
        LocationText = text,
        AgentId = agentId,
        Timeout = 600,
    };

    private static Alert AlertFrom(string agent) =>
        AlertParser.Parse("""{"rule":{"level":10,"id":"5712"},"agent":{"id":"AGENT","name":"web-01"},"id":"1.2","data":{"srcip":"203.0.113.45"}}""".Replace("AGENT", agent, StringComparison.Ordinal));

    private static readonly ArAction Local001 = new(Block(ArLocation.Local, "local"), ArTarget.Agent(1));

    private static IReadOnlyList<FleetDestination> Route(ArAction action, FleetRoute? route = null, string alertAgent = "001", bool bridge = false) =>
        new FleetRouter(Registry, bridge).Route(action, AlertFrom(alertAgent), route);

    [Fact]
    public void Server_runs_on_the_manager()
    {
        Route(new ArAction(Block(ArLocation.Server, "server"), ArTarget.Server)).ShouldBe([Manager]);
    }

    [Fact]
    public void Local_on_an_agent_000_alert_runs_on_the_manager()
    {
        // ArMatcher already turns local+000 into Server; the router keeps it there.
        Route(new ArAction(Block(ArLocation.Local, "local"), ArTarget.Server), alertAgent: "000").ShouldBe([Manager]);
    }

    [Fact]
    public void Local_goes_to_the_alerts_riposte_agent()
    {
        Route(Local001).ShouldBe([new RiposteAgentDestination("001")]);
    }

    [Fact]
    public void Local_to_an_enrolled_wazuh_agent_keeps_the_NRN_flags_and_its_version()
    {
        Route(new ArAction(Block(ArLocation.Local, "local"), ArTarget.Agent(5)), alertAgent: "005", bridge: true)
            .ShouldBe([new WazuhAgentDestination("005", "NRN", "4.0.0")]);
    }

    [Fact]
    public void Defined_agent_has_the_NNS_flags()
    {
        Route(new ArAction(Block(ArLocation.DefinedAgent, "defined-agent", 5), ArTarget.Agent(5)), bridge: true)
            .ShouldBe([new WazuhAgentDestination("005", "NNS", "4.0.0")]);
        Route(new ArAction(Block(ArLocation.DefinedAgent, "defined-agent", 2), ArTarget.Agent(2)))
            .ShouldBe([new RiposteAgentDestination("002")]);
    }

    [Fact]
    public void A_wazuh_agent_without_the_bridge_is_undeliverable()
    {
        var destination = Route(new ArAction(Block(ArLocation.DefinedAgent, "defined-agent", 5), ArTarget.Agent(5))).ShouldHaveSingleItem();

        destination.ShouldBeOfType<UndeliverableDestination>().Reason.ShouldContain("fleet.remoted_queue is not set");
    }

    [Fact]
    public void An_agent_not_enrolled_goes_to_remoted_with_the_bridge_and_nowhere_without()
    {
        var action = new ArAction(Block(ArLocation.Local, "local"), ArTarget.Agent(9));

        Route(action, alertAgent: "009", bridge: true).ShouldBe([new WazuhAgentDestination("009", "NRN", null)]);
        Route(action, alertAgent: "009", bridge: false).ShouldBe([new UndeliverableDestination("009", "agent 009 is not enrolled")]);
    }

    [Fact]
    public void All_is_every_enrolled_agent_by_numeric_id_never_the_manager()
    {
        var action = new ArAction(Block(ArLocation.All, "all"), ArTarget.AllAgents);

        Route(action, bridge: true).ShouldBe(
        [
            new RiposteAgentDestination("001"), new RiposteAgentDestination("002"), new RiposteAgentDestination("003"),
            new WazuhAgentDestination("005", "NNS", "4.0.0"), new RiposteAgentDestination("1000"),
        ]);
    }

    [Fact]
    public void All_with_an_empty_registry_goes_nowhere()
    {
        new FleetRouter(AgentRegistry.Empty, remotedBridge: true)
            .Route(new ArAction(Block(ArLocation.All, "all"), ArTarget.AllAgents), AlertFrom("001"), null).ShouldBeEmpty();
    }

    [Fact]
    public void A_route_replaces_the_location_with_several_ids()
    {
        Route(Local001, new FleetRoute { Agents = ["003", "002", "009"] }, bridge: true).ShouldBe(
        [
            new RiposteAgentDestination("002"), new RiposteAgentDestination("003"), new WazuhAgentDestination("009", "NNS", null),
        ]);
    }

    [Fact]
    public void A_route_group_is_its_enrolled_members_with_NNS_for_wazuh_ones()
    {
        Route(Local001, new FleetRoute { Groups = ["web"] }, bridge: true).ShouldBe(
        [
            new RiposteAgentDestination("001"), new RiposteAgentDestination("002"), new WazuhAgentDestination("005", "NNS", "4.0.0"),
        ]);
        Route(Local001, new FleetRoute { Groups = ["nobody"] }).ShouldBeEmpty();
    }

    [Fact]
    public void Route_labels_need_every_label()
    {
        Route(Local001, new FleetRoute { Labels = new Dictionary<string, string> { ["env"] = "prod" } }, bridge: true).ShouldBe(
        [
            new RiposteAgentDestination("001"), new RiposteAgentDestination("003"), new WazuhAgentDestination("005", "NNS", "4.0.0"),
        ]);
        Route(Local001, new FleetRoute { Labels = new Dictionary<string, string> { ["env"] = "prod", ["tier"] = "back" } })
            .ShouldBe([new RiposteAgentDestination("003")]);
    }

    [Fact]
    public void All_agents_and_the_manager()
    {
        var destinations = Route(Local001, new FleetRoute { AllAgents = true, Manager = true });

        destinations[0].ShouldBe(Manager);
        destinations.Skip(1).Select(d => d.AgentId).ShouldBe(["001", "002", "003", "005", "1000"]);
        destinations.Count(d => d is ManagerDestination).ShouldBe(1);
    }

    [Fact]
    public void Alert_agent_is_the_alerts_agent_or_the_manager_for_000()
    {
        var route = new FleetRoute { AlertAgent = true };
        var server = new ArAction(Block(ArLocation.Server, "server"), ArTarget.Server);

        Route(server, route, alertAgent: "002").ShouldBe([new RiposteAgentDestination("002")]);
        Route(server, route, alertAgent: "000").ShouldBe([Manager]);
        Route(server, route, alertAgent: "005", bridge: true).ShouldBe([new WazuhAgentDestination("005", "NNS", "4.0.0")]);
    }

    [Fact]
    public void Alert_agent_000_and_manager_give_one_manager()
    {
        Route(Local001, new FleetRoute { AlertAgent = true, Manager = true }, alertAgent: "000").ShouldBe([Manager]);
    }

    [Fact]
    public void Every_part_naming_an_agent_gives_one_destination_with_every_reason()
    {
        var router = new FleetRouter(Registry, remotedBridge: false);
        var route = new FleetRoute
        {
            Agents = ["001", "001"],
            Groups = ["web"],
            Labels = new Dictionary<string, string> { ["env"] = "prod" },
            AlertAgent = true,
        };

        var explained = router.Explain(Local001, AlertFrom("001"), route);

        explained.Select(d => d.Destination.AgentId).ShouldBe(["001", "002", "003", "005"]);
        explained[0].Because.ShouldBe("alert_agent, agents, group web, labels env=prod");
        explained[1].Because.ShouldBe("group web");
        explained[3].Destination.ShouldBeOfType<UndeliverableDestination>();
    }

    [Fact]
    public void Without_a_route_the_reason_is_the_location()
    {
        var router = new FleetRouter(Registry, remotedBridge: false);

        router.Explain(Local001, AlertFrom("001"), null).ShouldHaveSingleItem().Because.ShouldBe("location local");
        router.Explain(new ArAction(Block(ArLocation.All, "all"), ArTarget.AllAgents), AlertFrom("001"), null)
            .Select(d => d.Because).Distinct().ShouldBe(["location all"]);
    }

    [Fact]
    public void Matcher_actions_from_the_fixture_route_as_wazuh_does()
    {
        var config = OssecConfigReader.ReadFiles([Fixtures.ManagerConfig]).Config!;
        var matcher = new ArMatcher(config);
        var actions = new List<ArAction>();
        matcher.Match(AlertParser.Parse(Fixtures.AlertLines[3]), actions).ShouldBe(2);
        var router = new FleetRouter(Registry, remotedBridge: true);

        // 9.5 #4: local firewall-drop600 (NRN) and defined-agent host-deny60 (NNS), both to agent 001.
        router.Route(actions[0], AlertParser.Parse(Fixtures.AlertLines[3]), null).ShouldBe([new RiposteAgentDestination("001")]);
        router.Route(actions[1], AlertParser.Parse(Fixtures.AlertLines[3]), null).ShouldBe([new RiposteAgentDestination("001")]);

        var wazuhOnly = new FleetRouter(new AgentRegistry([new EnrolledAgent("001", [], new Dictionary<string, string>(), AgentTransport.Wazuh)]), true);
        wazuhOnly.Route(actions[0], AlertParser.Parse(Fixtures.AlertLines[3]), null).ShouldBe([new WazuhAgentDestination("001", "NRN", null)]);
        wazuhOnly.Route(actions[1], AlertParser.Parse(Fixtures.AlertLines[3]), null).ShouldBe([new WazuhAgentDestination("001", "NNS", null)]);
    }

    [Theory]
    [InlineData("001")]
    [InlineData("12345678")]
    [InlineData("000")]
    [InlineData("00")]
    [InlineData("123456789")]
    [InlineData("1a1")]
    [InlineData("")]
    [InlineData(null)]
    public void Settings_and_fleet_agree_on_agent_ids(string? id)
    {
        Riposte.Config.Settings.AgentIds.IsValid(id).ShouldBe(FleetNames.IsAgentId(id));
    }
}
