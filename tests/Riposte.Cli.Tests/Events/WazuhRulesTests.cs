using Riposte.Config;
using Riposte.Events;
using Riposte.State;

namespace Riposte.Cli.Events;

/// <summary>etc/wazuh/riposte_rules.xml against the events file a real <c>riposte serve</c> wrote.</summary>
public sealed class WazuhRulesTests(EventScenario scenario) : IClassFixture<EventScenario>
{
    /// <summary>The rule each kind of event alerts with; kinds not named here stay at the level-0 base rule.</summary>
    private static readonly Dictionary<string, int> RuleOf = new()
    {
        ["add"] = 100801,
        ["delete"] = 100802,
        ["abort"] = 100803,
        ["revoke"] = 100804,
        ["trigger"] = 100805,
        ["failure"] = 100810,
        ["kill"] = 100811,
        ["refused"] = 100812,
        ["rate-limited"] = 100813,
        ["lapsed"] = 100814,
        ["expired"] = 100815,
        ["undeliverable"] = 100816,
    };

    private static readonly string RulesPath = Path.Combine(Packaging.PackageBuild.Repository(), "etc", "wazuh", "riposte_rules.xml");

    private static WazuhRuleSet Rules => WazuhRuleSet.Load(File.ReadAllText(RulesPath));

    [Fact]
    public void The_rules_file_is_accepted_by_riposte_s_own_ossec_xml_reader()
    {
        var result = OssecConfigReader.ReadText(File.ReadAllText(RulesPath), "riposte_rules.xml");
        // 1226: Wazuh's "Error reading XML file", which OS_XML (and Riposte's reader) give a file analysisd would reject.
        result.Diagnostics.ShouldNotContain(d => d.Code == 1226, string.Join("\n", result.Diagnostics));
    }

    [Fact]
    public void Rule_ids_are_unique_in_100800_to_100899_and_every_parent_exists()
    {
        var rules = Rules.Rules;
        rules.Select(r => r.Id).ShouldBeUnique();
        rules.ShouldAllBe(r => r.Id >= 100800 && r.Id <= 100899);
        rules.Where(r => r.Parent is not null).ShouldAllBe(r => rules.Any(p => p.Id == r.Parent));
        RuleOf.Values.ShouldAllBe(id => rules.Any(r => r.Id == id));
    }

    [Fact]
    public void Each_real_event_alerts_with_the_rule_for_its_kind_and_no_other()
    {
        var rules = Rules;
        var seen = new HashSet<string>();
        foreach (var (line, parsed) in scenario.Lines.Zip(scenario.Parsed))
        {
            var kind = parsed.GetProperty("riposte").GetProperty("event").GetString()!;
            seen.Add(kind);
            var rule = rules.Match(line);
            rule.ShouldNotBeNull(line);
            rule.Id.ShouldBe(RuleOf.GetValueOrDefault(kind, 100800), line);
            if (!RuleOf.ContainsKey(kind))
            {
                rule.Level.ShouldBe(0, "a kind without a rule of its own does not alert");
            }
        }

        new[] { "add", "abort", "delete", "failure", "kill", "refused", "rate-limited", "continue" }.ShouldBeSubsetOf(seen);
    }

    [Fact]
    public void Failures_and_kills_alert_at_level_12()
    {
        Rules.Rules.Single(r => r.Id == RuleOf["failure"]).Level.ShouldBe(12);
        Rules.Rules.Single(r => r.Id == RuleOf["kill"]).Level.ShouldBe(12);
    }

    [Fact]
    public void Every_field_a_description_names_is_in_the_real_events_it_describes()
    {
        var rules = Rules;
        foreach (var line in scenario.Lines)
        {
            var rule = rules.Match(line)!;
            var fields = WazuhRuleSet.Decode(line)!;
            foreach (var name in WazuhRuleSet.DescriptionFields(rule.Description))
            {
                fields.ShouldContainKey(name, $"rule {rule.Id}: {line}");
            }
        }
    }

    [Theory]
    [InlineData("lapsed", "firewall-drop600", "not confirmed before the restart and out of time: undone")]
    [InlineData("expired", "firewall-drop600", "arrived 2 minutes after its time to live")]
    [InlineData("undeliverable", "firewall-drop600", "agent web-7 is not enrolled")]
    [InlineData("revoke", "firewall-drop600", "revoked by root")]
    [InlineData("trigger", "firewall-drop600", "triggered by root")]
    public void Kinds_this_run_did_not_produce_alert_with_their_own_rule_and_their_description_fields(string kind, string ar, string detail)
    {
        var record = new AuditRecord(42, new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero), kind, "firewall-drop-192.0.2.9", "active-response/bin/firewall-drop",
            ar, "1.1", ["192.0.2.9"], null, 0, null, null, detail, "cli");
        var line = System.Text.Encoding.UTF8.GetString(EventsFileLine.Format(ResponseEventMapper.FromAudit(record)));
        var rule = Rules.Match(line);
        rule.ShouldNotBeNull(line);
        rule.Id.ShouldBe(RuleOf[kind]);
        var fields = WazuhRuleSet.Decode(line)!;
        WazuhRuleSet.DescriptionFields(rule.Description).ShouldAllBe(name => fields.ContainsKey(name));
    }

    [Fact]
    public void A_json_line_that_is_not_riposte_s_matches_no_rule()
    {
        Rules.Match("""{"integration":"aws","aws":{"event":"failure"}}""").ShouldBeNull();
        Rules.Match("""{"riposte":{"event":"failure"}}""").ShouldBeNull();
        Rules.Match("2026/12/02 12:00:00 riposte: failure").ShouldBeNull();
    }
}
