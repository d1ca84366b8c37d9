using System.Text;
using Riposte.Alerts;
using Riposte.Config;

namespace Riposte.Protocol;

public sealed class ArMessageBuilderTests
{
    private static readonly WazuhConfig Manager = OssecConfigReader.ReadFiles([Fixtures.ManagerConfig]).Config!;

    private static ActiveResponseDefinition Ar(string name) => Manager.ActiveResponses.First(r => r.Name == name);

    private static string Body(string wire) => wire[(wire.IndexOf('{', StringComparison.Ordinal))..];

    [Fact]
    public void Json_body_is_byte_exact_A1()
    {
        var alert = AlertParser.Parse(Fixtures.AlertLines[1]);

        var body = ArMessageBuilder.Build(Manager, Ar("firewall-drop600"), alert);

        var expected = Fixtures.Wire("A1");
        (ArQueueHeader.Build(ArLocation.Local, "001") + Encoding.UTF8.GetString(body)).ShouldBe(expected);
    }

    [Fact]
    public void Two_messages_in_order_B1()
    {
        var alert = AlertParser.Parse(Fixtures.AlertLines[3]);
        var expected = Fixtures.WireAll("B1");

        expected.Length.ShouldBe(2);
        (ArQueueHeader.Build(ArLocation.Local, "001") + Encoding.UTF8.GetString(ArMessageBuilder.Build(Manager, Ar("firewall-drop600"), alert))).ShouldBe(expected[0]);
        (ArQueueHeader.Build(ArLocation.DefinedAgent, "001") + Encoding.UTF8.GetString(ArMessageBuilder.Build(Manager, Ar("host-deny60"), alert))).ShouldBe(expected[1]);
    }

    [Fact]
    public void Windows_alert_C1()
    {
        var alert = AlertParser.Parse(Fixtures.AlertLines[7]);

        (ArQueueHeader.Build(ArLocation.Local, "002") + Encoding.UTF8.GetString(ArMessageBuilder.Build(Manager, Ar("netsh300"), alert)))
            .ShouldBe(Fixtures.Wire("C1"));
    }

    [Fact]
    public void Extra_args_and_manager_local_body_D1()
    {
        var alert = AlertParser.Parse(Fixtures.AlertLines[6]);

        Encoding.UTF8.GetString(ArMessageBuilder.Build(Manager, Ar("slack-notify0"), alert)).ShouldBe(Fixtures.Wire("D1"));
    }

    [Fact]
    public void Missing_node_name_gives_undefined()
    {
        var config = OssecConfigReader.ReadText(Fixtures.Conf(Fixtures.FirewallDropCommand)).Config!;

        config.OriginName.ShouldBe("undefined");
    }

    [Fact]
    public void Non_ascii_and_slashes_stay_raw()
    {
        var body = ArMessageBuilder.Build("n", ArMessageBuilder.AnalysisdModule, "c0", ["a/b"], "{\"full_log\":\"caf\\u00e9 \\/x \u00fc\"}"u8);

        Encoding.UTF8.GetString(body).ShouldBe("{\"version\":1,\"origin\":{\"name\":\"n\",\"module\":\"wazuh-analysisd\"},\"command\":\"c0\",\"parameters\":{\"extra_args\":[\"a/b\"],\"alert\":{\"full_log\":\"café /x ü\"}}}");
    }

    [Fact]
    public void Escaped_body_for_agents_420_to_424_E3()
    {
        var alert = "{\"full_log\":\"Failed password for invalid user BALROG from 1.2.3.4 port 52620'$token': `132`! ssh2\"}"u8;
        var body = Agent42Escaper.Escape(ArMessageBuilder.Build("node01", ArMessageBuilder.AnalysisdModule, "firewall-drop0", [], alert));

        (ArQueueHeader.Build(ArLocation.Local, "003") + Encoding.UTF8.GetString(body)).ShouldBe(Fixtures.Wire("E3"));
    }

    [Theory]
    [InlineData("Wazuh v4.1.5", AgentProtocol.Legacy)]
    [InlineData("Wazuh v3.13.0", AgentProtocol.Legacy)]
    [InlineData("Wazuh v4.2.0", AgentProtocol.EscapedJson)]
    [InlineData("Wazuh v4.2.4", AgentProtocol.EscapedJson)]
    [InlineData("Wazuh v4.2.5", AgentProtocol.Json)]
    [InlineData("Wazuh v4.14.9", AgentProtocol.Json)]
    [InlineData("Wazuh v5.0.0", AgentProtocol.Json)]
    public void Protocol_by_agent_version(string version, AgentProtocol expected)
    {
        AgentProtocols.ForVersion(version).ShouldBe(expected);
    }

    [Theory]
    [InlineData("Wazuh")]
    [InlineData("Wazuh v4.2")]
    [InlineData("Wazuh vX.Y.Z")]
    public void Unreadable_versions_are_skipped(string version)
    {
        AgentProtocols.ForVersion(version).ShouldBeNull();
    }

    [Fact]
    public void Invalid_utf8_passes_to_the_program_byte_for_byte_as_cjson_copies_it()
    {
        byte[] json = [.. "{\"id\":\"1\",\"full_log\":\"a"u8, 0xFF, 0xC0, 0xAF, .. "\\n\",\"data\":{\"srcip\":\"1.2.3."u8, 0xFE, .. "\"}}"u8];
        var alert = AlertParser.Parse(json);

        var body = ArMessageBuilder.Build(Manager, Ar("firewall-drop600"), alert);

        byte[] expectedAlert = [.. "{\"id\":\"1\",\"full_log\":\"a"u8, 0xFF, 0xC0, 0xAF, .. "\\n\",\"data\":{\"srcip\":\"1.2.3."u8, 0xFE, .. "\"}}"u8];
        body.AsSpan().IndexOf(expectedAlert).ShouldBeGreaterThan(0);
        alert.SrcIp.ShouldBe("1.2.3.\uFFFD");
    }

    [Fact]
    public void A_nul_escape_ends_the_string_in_the_message_as_in_cjson()
    {
        var alert = AlertParser.Parse("""{"full_log":"ab\u0000cd","data":{"srcip":"1.2.3.4\u0000x"}}""");

        var body = Encoding.UTF8.GetString(ArMessageBuilder.Build(Manager, Ar("firewall-drop600"), alert));

        body.ShouldEndWith("""{"full_log":"ab","data":{"srcip":"1.2.3.4"}}}}""");
        alert.SrcIp.ShouldBe("1.2.3.4");
    }

    [Fact]
    public void Every_alert_the_parser_accepts_can_be_built()
    {
        // The parser rejects everything the cJSON writer would (lone surrogates, numbers over 63 characters), so
        // building a message for a parsed alert never fails.
        foreach (var json in new[] { "{\"x\":1" + new string('0', 63) + "}", """{"x":"\udc00"}""", """{"\ud800":1}""" })
        {
            AlertParser.TryParse(Encoding.UTF8.GetBytes(json), out _, out _, out _).ShouldBeFalse(json);
        }
    }
}
