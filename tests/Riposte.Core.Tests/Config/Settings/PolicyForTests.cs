using System.Net;

namespace Riposte.Config.Settings;

using static SettingsTestHelpers;

public sealed class PolicyForTests
{
    private static readonly RiposteSettings Settings = Load("""
        {
          "defaults": {
            "allowlist": ["10.0.0.0/8"],
            "dry_run": false,
            "max_new_per_minute": 100,
            "escalation": ["1h"],
            "notify": ["ops"]
          },
          "responses": {
            "firewall-drop": {
              "allowlist": ["192.0.2.0/24"],
              "dry_run": true,
              "notify": ["ops", "sec"]
            },
            "firewall-drop600": {
              "allowlist": ["198.51.100.1"],
              "max_new_per_minute": 5
            },
            "host-deny": {
              "notify": [],
              "escalation": []
            }
          },
          "notifications": [
            { "name": "ops", "url": "https://ops.example/" },
            { "name": "sec", "url": "https://sec.example/" }
          ]
        }
        """);

    [Fact]
    public void No_entry_gives_the_defaults()
    {
        var policy = Settings.PolicyFor("route-null0", "route-null");
        policy.ShouldBeSameAs(Settings.Defaults);
        policy.Allowlist.ShouldBe([IPNetwork.Parse("10.0.0.0/8")]);
        policy.MaxNewPerMinute.ShouldBe(100);
        policy.Escalation.ShouldBe([TimeSpan.FromHours(1)]);
        policy.Notify.ShouldBe(["ops"]);
    }

    [Fact]
    public void Command_name_entry_applies_when_there_is_no_ar_name_entry()
    {
        var policy = Settings.PolicyFor("firewall-drop1800", "firewall-drop");
        policy.Allowlist.ShouldBe([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("192.0.2.0/24")]);
        policy.DryRun.ShouldBeTrue();
        policy.MaxNewPerMinute.ShouldBe(100);
        policy.Escalation.ShouldBe([TimeSpan.FromHours(1)]);
        policy.Notify.ShouldBe(["ops", "sec"]);
    }

    [Fact]
    public void Ar_name_entry_wins_over_the_command_name_entry()
    {
        // only one entry applies: the command entry's dry_run and notify do not leak into the AR entry
        var policy = Settings.PolicyFor("firewall-drop600", "firewall-drop");
        policy.Allowlist.ShouldBe([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("198.51.100.1/32")]);
        policy.DryRun.ShouldBeFalse();
        policy.MaxNewPerMinute.ShouldBe(5);
        policy.Notify.ShouldBe(["ops"]);
    }

    [Fact]
    public void Empty_lists_replace_rather_than_inherit()
    {
        var policy = Settings.PolicyFor("host-deny60", "host-deny");
        policy.Notify.ShouldBeEmpty();
        policy.Escalation.ShouldNotBeNull().ShouldBeEmpty();
        policy.Allowlist.ShouldBe([IPNetwork.Parse("10.0.0.0/8")]);
    }

    [Fact]
    public void Names_are_case_sensitive_like_wazuh() =>
        Settings.PolicyFor("FIREWALL-DROP600", "Firewall-Drop").ShouldBeSameAs(Settings.Defaults);

    [Fact]
    public void Without_defaults_an_entry_applies_over_the_built_in_policy()
    {
        var settings = Load("""{ "responses": { "netsh": { "allowlist": ["::1"], "dry_run": true } } }""");
        var policy = settings.PolicyFor("netsh300", "netsh");
        policy.ShouldBe(ResponsePolicy.Default with { Allowlist = policy.Allowlist, DryRun = true });
        policy.Allowlist.ShouldBe([IPNetwork.Parse("::1/128")]);
    }

    [Fact]
    public void Apply_to_keeps_unset_settings()
    {
        var defaults = new ResponsePolicy { DryRun = true, MaxNewPerMinute = 7, Notify = ["a"] };
        ResponsePolicyOverride.Empty.ApplyTo(defaults).ShouldBe(defaults);
        new ResponsePolicyOverride { DryRun = false }.ApplyTo(defaults).ShouldBe(defaults with { DryRun = false });
    }
}
