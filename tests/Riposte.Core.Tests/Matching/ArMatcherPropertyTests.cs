using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Riposte.Alerts;
using Riposte.Config;

namespace Riposte.Matching;

public sealed class ArMatcherPropertyTests
{
    private static readonly WazuhConfig Config = OssecConfigReader.ReadText(Fixtures.Conf(Fixtures.FirewallDropCommand + """
        <global>
          <white_list>10.0.0.0/8</white_list>
          <white_list>2001:db8::</white_list>
        </global>
        <active-response><command>firewall-drop</command><location>local</location><rules_id>100,200</rules_id><timeout>60</timeout></active-response>
        <active-response><command>firewall-drop</command><location>all</location><level>12</level><rules_group>web</rules_group></active-response>
        <active-response><command>firewall-drop</command><location>server</location><level>15</level></active-response>
        """)).Config!;

    private static readonly ArMatcher Matcher = new(Config);

    private static Arbitrary<(int Rule, int Level, string Ip, string Group)> Alerts() =>
        (from rule in Gen.Elements(100, 200, 300, 5712)
         from level in Gen.Choose(0, 20)
         from ip in Gen.OneOf(
             Gen.Choose(0, 255).Select(o => $"10.1.2.{o}"),
             Gen.Choose(0, 255).Select(o => $"203.0.113.{o}"),
             Gen.Choose(0, 255).Select(o => $"2001:db8::{o:x}"),
             Gen.Elements("bad ip", "1.2.3.4;x"))
         from g in Gen.Elements("syslog", "web", "web_scan", "sshd")
         select (rule, level, ip, g)).ToArbitrary();

    private static Alert Make((int Rule, int Level, string Ip, string Group) a) =>
        AlertParser.Parse($$$"""{"rule":{"level":{{{a.Level}}},"id":"{{{a.Rule}}}","groups":["{{{a.Group}}}"]},"agent":{"id":"004"},"data":{"srcip":"{{{a.Ip}}}"}}""");

    [Property]
    public Property White_listed_srcip_never_produces_an_action() =>
        Prop.ForAll(Alerts(), a =>
        {
            var alert = Make(a);
            var actions = new List<ArAction>();
            Matcher.Match(alert, actions);
            return !Config.WhiteList.Contains(a.Ip) || actions.Count == 0;
        });

    [Property]
    public Property Rules_id_match_always_fires_unless_white_listed_or_invalid() =>
        Prop.ForAll(Alerts(), a =>
        {
            var alert = Make(a);
            var actions = new List<ArAction>();
            Matcher.Match(alert, actions);
            var listed = a.Rule is 100 or 200;
            var blocked = Config.WhiteList.Contains(a.Ip) || !FieldSanity.IsSaneSrcIp(a.Ip) || a.Level == 0;
            var fired = actions.Any(x => x.Response.Name == "firewall-drop60" && x.Target.ToString() == "004");
            return !listed || fired == !blocked;
        });

    [Property]
    public Property Match_agrees_with_explain() =>
        Prop.ForAll(Alerts(), a =>
        {
            var alert = Make(a);
            var actions = new List<ArAction>();
            Matcher.Match(alert, actions);
            var explanation = Matcher.Explain(alert);
            return actions.SequenceEqual(explanation.Actions)
                && explanation.Actions.Count + explanation.Skipped.Count == Config.Blocks.Count;
        });

    [Property]
    public Property Level_criterion_is_monotonic() =>
        Prop.ForAll(Alerts(), a =>
        {
            var lower = new List<ArAction>();
            var higher = new List<ArAction>();
            Matcher.Match(Make(a), lower);
            Matcher.Match(Make(a with { Level = Math.Min(20, a.Level + 1) }), higher);
            return a.Level == 0 || lower.All(x => higher.Any(y => y.Response == x.Response));
        });
}
