using System.Net;

namespace Riposte.Config.Settings;

public sealed class DefaultsTests
{
    [Fact]
    public void Default_has_the_documented_values()
    {
        var s = RiposteSettings.Default;
        s.Home.ShouldBeNull();
        s.State.Path.ShouldBe("riposte/state.db");
        s.Wazuh.OssecConf.ShouldBe(["etc/ossec.conf"]);
        s.Execution.MaxParallel.ShouldBe(8);
        s.Execution.ControlLineTimeout.ShouldBe(TimeSpan.FromSeconds(10));
        s.Execution.RunTimeout.ShouldBe(TimeSpan.FromSeconds(60));
        s.Execution.OutputLimitBytes.ShouldBe(65536);
        s.Execution.RevertOnShutdown.ShouldBeFalse();
        s.RepeatedOffenders.Mode.ShouldBe(RepeatedOffenderMode.Wazuh);
        s.RepeatedOffenders.ForgiveAfter.ShouldBe(TimeSpan.FromHours(24));
        s.Defaults.Allowlist.ShouldBeEmpty();
        s.Defaults.DryRun.ShouldBeFalse();
        s.Defaults.MaxNewPerMinute.ShouldBe(0);
        s.Defaults.Escalation.ShouldBeNull();
        s.Defaults.Notify.ShouldBeEmpty();
        s.Responses.ShouldBeEmpty();
        s.Safety.NeverBlockSelf.ShouldBeTrue();
        s.Safety.Allowlist.ShouldBeEmpty();
        s.Notifications.ShouldBeEmpty();
        s.Fleet.Role.ShouldBe(FleetRole.Standalone);
        s.Fleet.NatsUrl.ShouldBeNull();
        s.Fleet.AgentId.ShouldBeNull();
        s.Fleet.CredentialsFile.ShouldBeNull();
        s.Fleet.CommandTtl.ShouldBe(TimeSpan.FromHours(24));
        s.Api.Listen.ShouldBeNull();
        s.Api.TokenFile.ShouldBeNull();
        s.Metrics.Listen.ShouldBeNull();
    }

    [Fact]
    public void Empty_object_gives_the_defaults() =>
        SettingsTestHelpers.Load("{}").ShouldBe(RiposteSettings.Default);

    [Fact]
    public void Empty_sections_give_the_defaults()
    {
        var s = SettingsTestHelpers.Load("""
            { "state": {}, "wazuh": {}, "execution": {}, "repeated_offenders": {}, "defaults": {}, "responses": {},
              "safety": {}, "notifications": [], "fleet": {}, "api": {}, "metrics": {} }
            """);
        s.State.ShouldBe(StateSettings.Default);
        s.Execution.ShouldBe(ExecutionSettings.Default);
        s.Fleet.ShouldBe(FleetSettings.Default);
        s.Defaults.ShouldBe(ResponsePolicy.Default);
        s.Responses.ShouldBeEmpty();
        s.Notifications.ShouldBeEmpty();
    }

    [Fact]
    public void Nullable_settings_accept_null()
    {
        var s = SettingsTestHelpers.Load("""
            { "home": null, "api": { "listen": null, "token_file": null }, "metrics": { "listen": null },
              "fleet": { "nats_url": null, "agent_id": null, "credentials_file": null }, "defaults": { "escalation": null } }
            """);
        s.Home.ShouldBeNull();
        s.Api.Listen.ShouldBeNull();
        s.Metrics.Listen.ShouldBeNull();
        s.Defaults.Escalation.ShouldBeNull();
    }

    [Fact]
    public void Comments_and_trailing_commas_are_accepted()
    {
        var s = SettingsTestHelpers.Load("""
            // leading comment
            {
              /* block
                 comment */
              "execution": {
                "max_parallel": 3, // trailing comment
                "run_timeout": "5m",
              },
              "safety": { "allowlist": ["10.0.0.0/8", "::1",], },
            }
            // trailing comment
            """);
        s.Execution.MaxParallel.ShouldBe(3);
        s.Execution.RunTimeout.ShouldBe(TimeSpan.FromMinutes(5));
        s.Safety.Allowlist.ShouldBe([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("::1/128")]);
    }

    [Fact]
    public void Byte_order_mark_is_accepted()
    {
        var s = SettingsTestHelpers.Load("\uFEFF{ \"home\": \"/opt/wazuh\" }");
        s.Home.ShouldBe("/opt/wazuh");
    }

    [Fact]
    public void Home_defaults_to_var_ossec_when_it_exists()
    {
        RiposteSettings.Default.ResolveHome(_ => true, "/work").ShouldBe("/var/ossec");
        RiposteSettings.Default.ResolveHome(_ => false, "/work").ShouldBe("/work");
    }

    [Fact]
    public void Home_relative_to_the_current_directory()
    {
        var s = RiposteSettings.Default with { Home = "wazuh" };
        s.ResolveHome(_ => true, "/work").ShouldBe("/work/wazuh");
        (s with { Home = "/opt/wazuh" }).ResolveHome(_ => true, "/work").ShouldBe("/opt/wazuh");
    }

    [Fact]
    public void Paths_resolve_against_home()
    {
        var s = RiposteSettings.Default with { Home = "/opt/wazuh" };
        s.ResolvePath(s.State.Path).ShouldBe("/opt/wazuh/riposte/state.db");
        s.ResolvePath("/etc/riposte/extra.conf").ShouldBe("/etc/riposte/extra.conf");
    }
}
