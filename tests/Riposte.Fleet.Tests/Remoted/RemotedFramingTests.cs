using System.Text;
using Riposte.Alerts;
using Riposte.Config;
using Riposte.Fleet.Registry;
using Riposte.Fleet.Routing;
using Riposte.Matching;
using Riposte.Protocol;

namespace Riposte.Fleet.Remoted;

/// <summary>The datagrams analysisd would write, byte for byte, received on a socket standing in for remoted.</summary>
public sealed class RemotedFramingTests : IDisposable
{
    private static readonly WazuhConfig Config = OssecConfigReader.ReadFiles([Fixtures.ManagerConfig]).Config!;

    private readonly FakeRemoted _remoted = new();
    private readonly RemotedQueueSender _sender;

    public RemotedFramingTests() => _sender = new RemotedQueueSender(_remoted.Path);

    public void Dispose()
    {
        _sender.Dispose();
        _remoted.Dispose();
    }

    private byte[] SendAndReceive(byte[] datagram)
    {
        _sender.Send(datagram).ShouldBe(RemotedSendResult.Sent);
        return _remoted.Receive();
    }

    private static List<ArAction> Match(Alert alert)
    {
        var actions = new List<ArAction>();
        new ArMatcher(Config).Match(alert, actions);
        return actions;
    }

    private static void ShouldParseBack(byte[] datagram, string flags, string id, byte[] body)
    {
        var request = ArForward.Parse(datagram).ShouldNotBeNull();
        request.Flags.ShouldBe(flags);
        request.AgentId.ShouldBe(id);
        request.Body.ShouldBe(body);
    }

    [Fact]
    public void Local_is_NRN_with_the_json_body_A1()
    {
        var alert = AlertParser.Parse(Fixtures.AlertLines[1]);
        var action = Match(alert).ShouldHaveSingleItem();
        var destination = new FleetRouter(new AgentRegistry([new EnrolledAgent("001", [], new Dictionary<string, string>(), AgentTransport.Wazuh, "4.14.9")]), true)
            .Route(action, alert, null).ShouldHaveSingleItem().ShouldBeOfType<WazuhAgentDestination>();

        var received = SendAndReceive(RemotedFraming.Build(destination, Config, action.Response, alert));

        received.ShouldBe(Encoding.UTF8.GetBytes(Fixtures.Wire("A1")));
        ShouldParseBack(received, "NRN", "001", ArMessageBuilder.Build(Config, action.Response, alert));
    }

    [Fact]
    public void Defined_agent_is_NNS_B1()
    {
        var alert = AlertParser.Parse(Fixtures.AlertLines[3]);
        var hostDeny = Match(alert)[1];
        var destination = new FleetRouter(AgentRegistry.Empty, remotedBridge: true).Route(hostDeny, alert, null)
            .ShouldHaveSingleItem().ShouldBeOfType<WazuhAgentDestination>();

        var received = SendAndReceive(RemotedFraming.Build(destination, Config, hostDeny.Response, alert));

        received.ShouldBe(Encoding.UTF8.GetBytes(Fixtures.WireAll("B1")[1]));
        ShouldParseBack(received, "NNS", "001", ArMessageBuilder.Build(Config, hostDeny.Response, alert));
    }

    [Fact]
    public void All_sends_one_datagram_per_agent_each_in_its_versions_body()
    {
        // analysisd test_all_agents_success_json_string: agent 3 on 4.2.0 gets JSON (escaped), agent 5 on 4.0.0 the legacy string.
        var alert = AlertParser.Parse("""{"rule":{"level":7,"id":"554"},"agent":{"id":"005","name":"ubuntu"},"id":"160987966.80794","decoder":{"name":"syscheck_new_entry"},"syscheck":{"path":"/home/vagrant/file/n44.txt"},"location":"syscheck","full_log":"it's $HOME!"}""");
        var response = RestartWazuh0(ArLocation.All, "all");
        var registry = new AgentRegistry(
        [
            new EnrolledAgent("003", [], new Dictionary<string, string>(), AgentTransport.Wazuh, "Wazuh v4.2.0"),
            new EnrolledAgent("005", [], new Dictionary<string, string>(), AgentTransport.Wazuh, "4.0.0"),
            new EnrolledAgent("007", [], new Dictionary<string, string>(), AgentTransport.Wazuh),
        ]);
        var destinations = new FleetRouter(registry, true).Route(new ArAction(response, ArTarget.AllAgents), alert, null)
            .Cast<WazuhAgentDestination>().ToArray();

        var received = destinations.Select(d => SendAndReceive(RemotedFraming.Build(d, Config, response, alert))).ToArray();

        var json = ArMessageBuilder.Build(Config, response, alert);
        var escaped = Agent42Escaper.Escape(json);
        var legacy = "restart-wazuh0 - - 160987966.80794 554 (ubuntu) any->syscheck /home/vagrant/file/n44.txt -"u8.ToArray();
        received[0].ShouldBe([.. "(local_source) [] NNS 003 "u8, .. escaped]);
        received[1].ShouldBe([.. "(local_source) [] NNS 005 "u8, .. legacy]);
        received[2].ShouldBe([.. "(local_source) [] NNS 007 "u8, .. json]);
        Encoding.UTF8.GetString(escaped).ShouldContain("it\\\\x27s \\\\x24HOME\\\\x21");
        ShouldParseBack(received[0], "NNS", "003", escaped);
        ShouldParseBack(received[1], "NNS", "005", legacy);
        ShouldParseBack(received[2], "NNS", "007", json);
    }

    [Fact]
    public void Legacy_body_is_the_spec_test_vector_E2()
    {
        var alert = AlertParser.Parse("""{"rule":{"level":7,"id":"554"},"agent":{"id":"005","name":"ubuntu"},"id":"160987966.80794","decoder":{"name":"syscheck_new_entry"},"syscheck":{"path":"/home/vagrant/file/n44.txt"},"location":"syscheck"}""");
        var response = RestartWazuh0(ArLocation.All, "all");

        var received = SendAndReceive(RemotedFraming.Build(new WazuhAgentDestination("005", "NNS", "Wazuh v4.0.0"), Config, response, alert));

        received.ShouldBe("(local_source) [] NNS 005 restart-wazuh0 - - 160987966.80794 554 (ubuntu) any->syscheck /home/vagrant/file/n44.txt -"u8.ToArray());
        Encoding.UTF8.GetString(received).ShouldBe(Fixtures.Wire("E2"));
        ShouldParseBack(received, "NNS", "005", "restart-wazuh0 - - 160987966.80794 554 (ubuntu) any->syscheck /home/vagrant/file/n44.txt -"u8.ToArray());
    }

    [Fact]
    public void Escaped_body_for_a_423_agent_E3()
    {
        var alert = AlertParser.Parse("{\"full_log\":\"Failed password for invalid user BALROG from 1.2.3.4 port 52620'$token': `132`! ssh2\"}");
        var response = RestartWazuh0(ArLocation.Local, "local") with { Name = "firewall-drop0" };

        var received = SendAndReceive(RemotedFraming.Build(new WazuhAgentDestination("003", "NRN", "4.2.3"), Config, response, alert));

        received.ShouldBe(Encoding.UTF8.GetBytes(Fixtures.Wire("E3")));
        ArForward.Parse(received)!.Body.ShouldBe(Encoding.UTF8.GetBytes(Fixtures.Wire("E3")[26..]));
    }

    [Fact]
    public void A_message_over_64_KiB_is_cut_at_65536_bytes()
    {
        var alert = AlertParser.Parse($$"""{"rule":{"level":10,"id":"5712"},"agent":{"id":"001"},"full_log":"{{new string('x', 70_000)}}"}""");
        var response = RestartWazuh0(ArLocation.Local, "local");
        var full = ArMessageBuilder.Build(Config, response, alert);
        full.Length.ShouldBeGreaterThan(RemotedFraming.MaxMessageBytes);

        var received = SendAndReceive(RemotedFraming.Build(new WazuhAgentDestination("001", "NRN", null), Config, response, alert));

        received.Length.ShouldBe(65536);
        received.ShouldBe([.. "(local_source) [] NRN 001 "u8, .. full.AsSpan(0, 65536 - 26)]);
        ShouldParseBack(received, "NRN", "001", full[..(65536 - 26)]);
    }

    [Fact]
    public void A_message_of_exactly_65536_bytes_is_not_cut()
    {
        var body = Enumerable.Repeat((byte)'a', 65536 - 26).ToArray();

        RemotedFraming.Frame("NNS", "002", body).Length.ShouldBe(65536);
        RemotedFraming.Frame("NNS", "002", [.. body, (byte)'b']).Length.ShouldBe(65536);
        RemotedFraming.Frame("NNS", "002", [.. body, (byte)'b'])[^1].ShouldBe((byte)'a');
    }

    [Fact]
    public void Agent_ids_above_999_keep_their_digits()
    {
        var received = SendAndReceive(RemotedFraming.Frame("NNS", "1000", "{}"u8));

        received.ShouldBe("(local_source) [] NNS 1000 {}"u8.ToArray());
        ShouldParseBack(received, "NNS", "1000", "{}"u8.ToArray());
    }

    [Theory]
    [InlineData(null, AgentProtocol.Json)]
    [InlineData("", AgentProtocol.Json)]
    [InlineData("garbage", AgentProtocol.Json)]
    [InlineData("Wazuh v4", AgentProtocol.Json)]
    [InlineData("4.1.5", AgentProtocol.Legacy)]
    [InlineData("Wazuh v3.13.6", AgentProtocol.Legacy)]
    [InlineData("4.2.0", AgentProtocol.EscapedJson)]
    [InlineData("Wazuh v4.2.4", AgentProtocol.EscapedJson)]
    [InlineData("4.2.5", AgentProtocol.Json)]
    [InlineData("Wazuh v4.14.9", AgentProtocol.Json)]
    public void Body_format_by_version(string? version, AgentProtocol expected)
    {
        RemotedFraming.ProtocolFor(version).ShouldBe(expected);
    }

    private static ActiveResponseDefinition RestartWazuh0(ArLocation location, string text) => new()
    {
        BlockIndex = 0,
        Position = default,
        Status = ResponseStatus.Active,
        Name = "restart-wazuh0",
        CommandName = "restart-wazuh",
        Command = new CommandDefinition("restart-wazuh", "restart-wazuh", false, null, default),
        Location = location,
        LocationText = text,
    };
}
