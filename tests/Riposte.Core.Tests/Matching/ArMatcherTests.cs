using Riposte.Alerts;
using Riposte.Config;

namespace Riposte.Matching;

public sealed class ArMatcherTests
{
    private static readonly WazuhConfig Manager = OssecConfigReader.ReadFiles([Fixtures.ManagerConfig]).Config!;

    private static List<string> Fire(WazuhConfig config, string alertJson)
    {
        var actions = new List<ArAction>();
        new ArMatcher(config).Match(AlertParser.Parse(alertJson), actions);
        return [.. actions.Select(a => $"{a.Response.Name}@{a.Target}")];
    }

    private static List<string> FireFixture(int line) => Fire(Manager, Fixtures.AlertLines[line - 1]);

    [Fact]
    public void Fixture_expectations_spec_9_5()
    {
        FireFixture(1).ShouldBeEmpty();
        FireFixture(2).ShouldBe(["firewall-drop600@001"]);
        FireFixture(3).ShouldBeEmpty();
        FireFixture(4).ShouldBe(["firewall-drop600@001", "host-deny60@001"]);
        FireFixture(5).ShouldBe(["firewall-drop1800@001"]);
        FireFixture(6).ShouldBeEmpty();
        FireFixture(7).ShouldBeEmpty();
        FireFixture(8).ShouldBe(["netsh300@002"]);
        FireFixture(9).ShouldBe(["firewall-drop600@001"]);
        FireFixture(10).ShouldBeEmpty();
    }

    [Fact]
    public void Explain_gives_a_reason_for_every_other_block()
    {
        var explanation = new ArMatcher(Manager).Explain(AlertParser.Parse(Fixtures.AlertLines[9]));

        explanation.Actions.ShouldBeEmpty();
        explanation.Skipped.Select(s => $"{s.Response.Name}:{s.Reason.ToName()}").ShouldBe(
        [
            "firewall-drop600:white_list", "firewall-drop1800:not_matched", "netsh300:not_matched", "host-deny60:not_matched",
            "slack-notify0:not_matched", "restart-wazuh0:not_matched", "route-null0:disabled", "route-null0:not_matched",
        ]);
    }

    private static WazuhConfig Config(string blocks) =>
        OssecConfigReader.ReadText(Fixtures.Conf(Fixtures.FirewallDropCommand + blocks)).Config!;

    private static string Alert(int ruleId, int level, string groups = "\"syslog\"", string agent = "001", string? srcip = "203.0.113.9", string? dstuser = null, string extraRule = "")
    {
        var data = new List<string>();
        if (srcip is not null)
        {
            data.Add($"\"srcip\":\"{srcip}\"");
        }

        if (dstuser is not null)
        {
            data.Add($"\"dstuser\":\"{dstuser}\"");
        }

        var rule = $$$"""{"level":{{{level}}},"id":"{{{ruleId}}}","groups":[{{{groups}}}]{{{extraRule}}}}""";
        return "{\"rule\":" + rule + ",\"agent\":{\"id\":\"" + agent + "\",\"name\":\"a\"},\"id\":\"1.1\",\"data\":{" + string.Join(",", data) + "}}";
    }

    [Fact]
    public void Level_and_group_are_anded_quirk_Q2()
    {
        var config = Config("<active-response><command>firewall-drop</command><location>local</location><level>10</level><rules_group>web_scan</rules_group></active-response>");

        Fire(config, Alert(1, 10, "\"web_scan\"")).ShouldHaveSingleItem();
        Fire(config, Alert(1, 9, "\"web_scan\"")).ShouldBeEmpty();
        Fire(config, Alert(1, 12, "\"web\"")).ShouldBeEmpty();
    }

    [Fact]
    public void Rules_id_is_ored_with_level_and_group()
    {
        var config = Config("<active-response><command>firewall-drop</command><location>local</location><level>10</level><rules_group>web_scan</rules_group><rules_id>5</rules_id></active-response>");

        Fire(config, Alert(5, 3, "\"other\"")).ShouldHaveSingleItem();
    }

    [Fact]
    public void Group_is_an_unanchored_substring_regex_quirk_Q3()
    {
        var config = Config("<active-response><command>firewall-drop</command><location>local</location><rules_group>sshd</rules_group></active-response>");

        Fire(config, Alert(1, 3, "\"sshd2\"")).ShouldHaveSingleItem();
        Fire(config, Alert(1, 3, "\"SSHD\"")).ShouldHaveSingleItem();
    }

    [Fact]
    public void Compliance_tags_are_part_of_the_group_string()
    {
        var config = Config("<active-response><command>firewall-drop</command><location>local</location><rules_group>pci_dss_11.4,</rules_group></active-response>");

        Fire(config, Alert(1, 3, "\"sshd\"", extraRule: ",\"pci_dss\":[\"10.2.4\",\"11.4\"]")).ShouldHaveSingleItem();
        Fire(config, Alert(1, 3, "\"sshd\"", extraRule: ",\"pci_dss\":[\"11.5\"]")).ShouldBeEmpty();
    }

    [Fact]
    public void Level_zero_rules_never_fire()
    {
        var config = Config("<active-response><command>firewall-drop</command><location>local</location><rules_id>7</rules_id></active-response>");

        Fire(config, Alert(7, 0)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("server", "001", "server")]
    [InlineData("local", "001", "001")]
    [InlineData("local", "000", "server")]
    [InlineData("all", "001", "all")]
    [InlineData("all,server", "005", "server")]
    [InlineData("all,local", "005", "all")]
    public void Routing_by_location(string location, string agent, string target)
    {
        var config = Config($"<active-response><command>firewall-drop</command><location>{location}</location><level>3</level></active-response>");

        Fire(config, Alert(1, 5, agent: agent)).ShouldBe([$"firewall-drop0@{target}"]);
    }

    [Fact]
    public void Defined_agent_targets_the_configured_agent()
    {
        var config = Config("<active-response><command>firewall-drop</command><location>defined-agent</location><agent_id>7</agent_id><level>3</level></active-response>");

        Fire(config, Alert(1, 5, agent: "001")).ShouldBe(["firewall-drop0@007"]);
    }

    [Fact]
    public void Nothing_runs_when_a_trailing_disabled_block_reset_the_queues_quirk_Q1()
    {
        var config = Config("""
            <active-response><command>firewall-drop</command><location>local</location><level>3</level></active-response>
            <active-response><disabled>yes</disabled><command>firewall-drop</command><location>local</location><level>3</level></active-response>
            """);

        var explanation = new ArMatcher(config).Explain(AlertParser.Parse(Alert(1, 5)));

        explanation.Actions.ShouldBeEmpty();
        explanation.Skipped.Select(s => s.Reason).ShouldBe([SkipReason.Disabled, SkipReason.Disabled]);
    }

    [Fact]
    public void Server_queue_is_needed_for_server_targets()
    {
        // Only the remote queue is on: a server AR bound to the rule sends nothing.
        var config = Config("""
            <active-response><command>firewall-drop</command><location>local</location><level>3</level></active-response>
            <active-response><disabled>yes</disabled><command>firewall-drop</command><location>local</location><level>3</level></active-response>
            <active-response><command>firewall-drop</command><location>all</location><level>3</level></active-response>
            <active-response><command>firewall-drop</command><location>server</location><level>3</level></active-response>
            """);

        config.Queues.ShouldBe(ArQueues.Remote | ArQueues.Local);
        Fire(config, Alert(1, 5)).ShouldBe(["firewall-drop0@001", "firewall-drop0@all", "firewall-drop0@server"]);
    }

    [Theory]
    [InlineData("1.2.3.4;rm", SkipReason.InvalidSrcIp)]
    [InlineData("1.2.3.4 x", SkipReason.InvalidSrcIp)]
    [InlineData("10.0.0.2", SkipReason.WhiteList)]
    public void Srcip_checks_quirk_Q9(string srcip, SkipReason reason)
    {
        var config = Config("<global><white_list>10.0.0.2</white_list></global><active-response><command>firewall-drop</command><location>local</location><level>3</level></active-response>");

        var explanation = new ArMatcher(config).Explain(AlertParser.Parse(Alert(1, 5, srcip: srcip)));

        explanation.Skipped.ShouldHaveSingleItem().Reason.ShouldBe(reason);
    }

    [Theory]
    [InlineData("\"riposte\"", true)]
    [InlineData("\"riposte\", \"riposte_failure\"", true)]
    [InlineData("\"syslog\", \"riposte\"", true)]
    [InlineData("\"riposte_failure\"", false)]
    [InlineData("\"not_riposte\"", false)]
    [InlineData("\"sshd\"", false)]
    public void Riposte_own_events_never_fire_a_response_so_an_outcome_cannot_answer_itself(string groups, bool own)
    {
        var config = Config("<active-response><command>firewall-drop</command><location>local</location><level>3</level></active-response>");
        var alert = AlertParser.Parse(Alert(100805, 12, groups: groups));

        Fire(config, Alert(100805, 12, groups: groups)).Count.ShouldBe(own ? 0 : 1);
        var explanation = new ArMatcher(config).Explain(alert);
        if (own)
        {
            var skipped = explanation.Skipped.ShouldHaveSingleItem();
            skipped.Reason.ToName().ShouldBe("riposte_event");
            skipped.Detail.ShouldContain("loop");
        }
        else
        {
            explanation.Actions.ShouldHaveSingleItem();
        }
    }

    [Fact]
    public void Dstuser_is_checked_before_srcip()
    {
        var config = Config("<active-response><command>firewall-drop</command><location>local</location><level>3</level></active-response>");

        var explanation = new ArMatcher(config).Explain(AlertParser.Parse(Alert(1, 5, srcip: "bad ip", dstuser: "bad user")));

        explanation.Skipped.ShouldHaveSingleItem().Reason.ShouldBe(SkipReason.InvalidDstUser);
    }

    [Fact]
    public void Alerts_without_srcip_are_never_white_listed()
    {
        var config = Config("<global><white_list>!1.2.3.4</white_list></global><active-response><command>firewall-drop</command><location>local</location><level>3</level></active-response>");

        Fire(config, Alert(1, 5, srcip: null)).ShouldHaveSingleItem();
    }
}
