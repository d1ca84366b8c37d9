using System.Text;
using System.Text.Json;
using Riposte.Inputs;

namespace Riposte.Cli.Commands;

public sealed class ServeCommandTests
{
    private static int Count(string[] events, string prefix) => events.Count(e => e.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>
    /// The kill lands right after the programs' effects, which may be before Riposte heard the programs had their
    /// continue: such an add is pending and recovery runs it once more (adds are at least once, programs idempotent),
    /// recorded as a re-run of the same alert. Nothing else is repeated, and no alert is skipped.
    /// </summary>
    [Fact]
    public async Task Kill_9_then_restart_every_delete_happens_once_and_an_add_runs_again_only_as_a_recorded_recovery()
    {
        using var home = new TestHome(timeout: 4);
        home.AppendAlert("192.0.2.1", "1.1");
        home.AppendAlert("192.0.2.2", "1.2");
        home.AppendAlert("192.0.2.3", "1.3");

        await using (var first = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts, "--from-start"))
        {
            await TestHome.WaitForAsync(() => Count(home.Events(), "add") == 3, "three adds");
            await first.KillHardAsync();
        }

        // An alert written while Riposte is down is picked up after the restart; the three before it are not re-applied.
        home.AppendAlert("192.0.2.4", "1.4");
        await using (var second = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts, "--from-start"))
        {
            await TestHome.WaitForAsync(() => Count(home.Events(), "delete") == 4, "four deletes", 30_000);
            await Task.Delay(1500, TestContext.Current.CancellationToken);
            second.Signal("TERM");
            (await second.WaitForExitAsync()).ShouldBe(0, second.Log);
        }

        var events = home.Events();
        var history = JsonDocument.Parse((await CliRunner.RunAsync(["history", "--home", home.Path, "--format", "json", "--limit", "100000"])).Out).RootElement;
        foreach (var (ip, alert) in new[] { ("192.0.2.1", "1.1"), ("192.0.2.2", "1.2"), ("192.0.2.3", "1.3"), ("192.0.2.4", "1.4") })
        {
            var recovered = history.EnumerateArray().Count(r => r.GetProperty("event").GetString() == "add" && r.GetProperty("source").GetString() == "recovery" &&
                r.GetProperty("alert_id").GetString() == alert);
            recovered.ShouldBeLessThanOrEqualTo(1);
            events.Count(e => e == $"add {ip}").ShouldBe(1 + recovered, string.Join("\n", events));
            events.Count(e => e == $"delete {ip}").ShouldBe(1, string.Join("\n", events));
        }

        events.ShouldNotContain(e => e.StartsWith("abort", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Graceful_stop_keeps_blocks_and_status_sees_them_while_serve_runs()
    {
        using var home = new TestHome(timeout: 600);
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Started", StringComparison.Ordinal), "start");

        home.AppendAlert("198.51.100.9", "2.1");
        await TestHome.WaitForAsync(() => Count(home.Events(), "add") == 1, "the add");
        var status = await CliRunner.RunAsync(["status", "--home", home.Path, "--format", "json"]);

        status.ExitCode.ShouldBe(0, status.Error);
        var entry = JsonDocument.Parse(status.Out).RootElement.EnumerateArray().ShouldHaveSingleItem();
        entry.EnumerateObject().Select(p => p.Name).ShouldBe(["rkey", "program", "ar", "keys", "added_at", "expires_at", "remaining_s", "offense"]);
        entry.GetProperty("rkey").GetString().ShouldBe("firewall-drop-198.51.100.9");
        entry.GetProperty("program").GetString().ShouldBe("active-response/bin/firewall-drop");
        entry.GetProperty("ar").GetString().ShouldBe("firewall-drop600");
        entry.GetProperty("keys")[0].GetString().ShouldBe("198.51.100.9");
        entry.GetProperty("remaining_s").GetInt64().ShouldBeInRange(590, 600);
        entry.GetProperty("offense").GetInt32().ShouldBe(1);

        daemon.Signal("TERM");
        (await daemon.WaitForExitAsync()).ShouldBe(0);
        home.Events().ShouldBe(["add 198.51.100.9"]);
        (await CliRunner.RunAsync(["status", "--home", home.Path, "--format", "json"])).Out.ShouldContain("firewall-drop-198.51.100.9");
    }

    [Fact]
    public async Task Trigger_and_revoke_go_through_a_running_daemon()
    {
        using var home = new TestHome(timeout: 600);
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
        await TestHome.WaitForAsync(() => File.Exists(Path.Combine(home.Path, "queue", "riposte", "control.sock")), "control socket");

        var trigger = await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop600", "--srcip", "203.0.113.77"]);
        trigger.ExitCode.ShouldBe(0, trigger.Error);
        trigger.Out.ShouldStartWith("continued: firewall-drop-203.0.113.77");

        var revoke = await CliRunner.RunAsync(["revoke", "--home", home.Path, "203.0.113.77"]);
        revoke.ExitCode.ShouldBe(0, revoke.Error);
        home.Events().ShouldBe(["add 203.0.113.77", "delete 203.0.113.77"]);

        var history = await CliRunner.RunAsync(["history", "--home", home.Path, "--key", "203.0.113.77", "--format", "json"]);
        JsonDocument.Parse(history.Out).RootElement.EnumerateArray().Select(e => e.GetProperty("event").GetString()).ShouldBe(["revoke", "add", "continue"]);
    }

    [Fact]
    public async Task History_filters_by_time_key_and_event()
    {
        using var home = new TestHome(timeout: 600);
        (await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop600", "--srcip", "203.0.113.31"])).ExitCode.ShouldBe(0);
        (await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop600", "--srcip", "203.0.113.32"])).ExitCode.ShouldBe(0);

        var recent = await CliRunner.RunAsync(["history", "--home", home.Path, "--since", "1h", "--format", "json"]);
        JsonDocument.Parse(recent.Out).RootElement.GetArrayLength().ShouldBe(4);
        var future = await CliRunner.RunAsync(["history", "--home", home.Path, "--since", "2999-01-01T00:00:00Z", "--format", "json"]);
        JsonDocument.Parse(future.Out).RootElement.GetArrayLength().ShouldBe(0);
        var one = await CliRunner.RunAsync(["history", "--home", home.Path, "--key", "203.0.113.32", "--event", "add", "--format", "json"]);
        var record = JsonDocument.Parse(one.Out).RootElement.EnumerateArray().ShouldHaveSingleItem();
        record.GetProperty("rkey").GetString().ShouldBe("firewall-drop-203.0.113.32");
        record.GetProperty("exit_code").GetInt32().ShouldBe(0);
        record.GetProperty("source").GetString().ShouldBe("trigger");
        (await CliRunner.RunAsync(["history", "--home", home.Path, "--since", "yesterday-ish"])).ExitCode.ShouldBe(1);
    }

    [Fact]
    public async Task Trigger_and_revoke_work_without_a_daemon()
    {
        using var home = new TestHome(timeout: 600);

        (await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop600", "--srcip", "203.0.113.8"])).ExitCode.ShouldBe(0);
        (await CliRunner.RunAsync(["status", "--home", home.Path])).Out.ShouldContain("firewall-drop-203.0.113.8");
        (await CliRunner.RunAsync(["revoke", "--home", home.Path, "firewall-drop-203.0.113.8"])).ExitCode.ShouldBe(0);

        home.Events().ShouldBe(["add 203.0.113.8", "delete 203.0.113.8"]);
        (await CliRunner.RunAsync(["revoke", "--home", home.Path, "203.0.113.8"])).ExitCode.ShouldBe(2);
    }

    [Theory]
    [InlineData("--srcip", "1.2.3.4;reboot")]
    [InlineData("--srcip", "example.com")]
    [InlineData("--user", "root")]
    [InlineData("--user", "../etc")]
    public async Task Trigger_refuses_unsafe_input(string option, string value)
    {
        using var home = new TestHome();

        var result = await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop600", option, value]);

        result.ExitCode.ShouldBe(2);
        home.Events().ShouldBeEmpty();
    }

    [Fact]
    public async Task Exec_queue_messages_run_like_wazuh_execd()
    {
        using var home = new TestHome(timeout: 600);
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--execq");
        var queue = Path.Combine(home.Path, "queue", "alerts", "execq");
        await TestHome.WaitForAsync(() => File.Exists(queue), "the exec queue");

        await ExecQueueClient.SendAsync(queue, System.Text.Encoding.UTF8.GetBytes(Fixtures.Wire("A3")), TestContext.Current.CancellationToken);
        await ExecQueueClient.SendAsync(queue, "not json"u8.ToArray(), TestContext.Current.CancellationToken);
        await ExecQueueClient.SendAsync(queue, System.Text.Encoding.UTF8.GetBytes(Fixtures.Wire("A3")), TestContext.Current.CancellationToken);

        await TestHome.WaitForAsync(() => home.Events().Length == 2, "two runs");
        home.Events().ShouldBe(["add 203.0.113.45", "abort 203.0.113.45"]);
        await TestHome.WaitForAsync(() => daemon.Log.Contains("(1315): Invalid JSON message: 'not json'", StringComparison.Ordinal), "the 1315 error");
    }

    [Fact]
    public async Task Agent_role_takes_commands_from_the_shared_ar_conf_and_escalates_repeated_offenders()
    {
        using var home = new TestHome();
        File.Copy(Fixtures.Path("sample-agent-ossec-ar.xml"), home.Config, overwrite: true);
        Directory.CreateDirectory(Path.Combine(home.Path, "etc", "shared"));
        File.Copy(Fixtures.Path("sample-ar.conf"), Path.Combine(home.Path, "etc", "shared", "ar.conf"));
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--role", "agent", "--execq");
        var queue = Path.Combine(home.Path, "queue", "alerts", "execq");
        await TestHome.WaitForAsync(() => File.Exists(queue), "the exec queue");

        await ExecQueueClient.SendAsync(queue, System.Text.Encoding.UTF8.GetBytes(Fixtures.Wire("A3")), TestContext.Current.CancellationToken);
        await TestHome.WaitForAsync(() => home.Events().Length == 1, "the add");
        await ExecQueueClient.SendAsync(queue, System.Text.Encoding.UTF8.GetBytes(Fixtures.Wire("A3")), TestContext.Current.CancellationToken);
        await TestHome.WaitForAsync(() => home.Events().Length == 2, "the abort");

        var status = await CliRunner.RunAsync(["status", "--home", home.Path, "--format", "json"]);
        var entry = JsonDocument.Parse(status.Out).RootElement.EnumerateArray().ShouldHaveSingleItem();
        entry.GetProperty("offense").GetInt32().ShouldBe(2);
        entry.GetProperty("remaining_s").GetInt64().ShouldBeInRange(55, 60);
    }

    [Fact]
    public async Task Sighup_reloads_and_a_bad_config_keeps_the_old_one()
    {
        using var home = new TestHome(timeout: 600);
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Started", StringComparison.Ordinal), "start");

        await File.WriteAllTextAsync(home.Config, "<ossec_config><active-response><command>nope</command><location>local</location></active-response></ossec_config>", TestContext.Current.CancellationToken);
        daemon.Signal("HUP");
        await TestHome.WaitForAsync(() => daemon.Log.Contains("reload rejected", StringComparison.OrdinalIgnoreCase), "the rejection");
        home.AppendAlert("192.0.2.50", "3.1");
        await TestHome.WaitForAsync(() => home.Events().Length == 1, "the old config still working");

        home.WriteConfig(600, "<active-response><command>firewall-drop</command><location>local</location><rules_id>5713</rules_id><timeout>60</timeout></active-response>");
        daemon.Signal("HUP");
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Configuration reloaded", StringComparison.Ordinal), "the reload");
        daemon.HasExited.ShouldBeFalse();
    }

    [Fact]
    public async Task The_hosts_own_addresses_are_never_blocked()
    {
        using var home = new TestHome(timeout: 600);
        File.WriteAllText(Path.Combine(home.Path, "etc", "riposte.json"), "{}");
        home.AppendAlert("127.0.0.1", "5.1");
        home.AppendAlert("203.0.113.200", "5.2");

        var result = await CliRunner.RunProcessAsync(["serve", "--home", home.Path, "--alerts", home.Alerts, "--from-start", "--until-idle"]);

        result.ExitCode.ShouldBe(0, result.Error);
        home.Events().ShouldBe(["add 203.0.113.200"]);
        var history = await CliRunner.RunAsync(["history", "--home", home.Path, "--event", "skip", "--format", "json"]);
        JsonDocument.Parse(history.Out).RootElement.EnumerateArray().ShouldHaveSingleItem().GetProperty("detail").GetString()!.ShouldContain("127.0.0.1 is a loopback address");
    }

    [Fact]
    public async Task Malformed_alert_lines_are_reported_and_skipped()
    {
        using var home = new TestHome(timeout: 600);
        File.WriteAllText(home.Alerts, "{broken\n");
        home.AppendAlert("192.0.2.60", "4.1");

        var result = await CliRunner.RunProcessAsync(["serve", "--home", home.Path, "--alerts", home.Alerts, "--from-start", "--until-idle"]);

        result.ExitCode.ShouldBe(0, result.Error);
        (result.Out + result.Error).ShouldContain($"{home.Alerts}:1: malformed alert at byte offset 0");
        home.Events().ShouldBe(["add 192.0.2.60"]);
    }

    /// <summary>Alerts that once killed the daemon (invalid UTF-8, lone surrogates, NULs, huge numbers), then a good one.</summary>
    private static byte[] HostileThenGood(string goodIp)
    {
        static byte[] Alert(string id, byte[] srcip, string extra = "") =>
            [.. Encoding.UTF8.GetBytes("{\"rule\":{\"level\":10,\"id\":\"5712\",\"groups\":[\"sshd\"]},\"agent\":{\"id\":\"001\",\"name\":\"web\"},\"id\":\"" + id + "\"" + extra + ",\"data\":{\"srcip\":\""), .. srcip, .. "\"}}\n"u8];

        return
        [
            .. Alert("h.1", [.. "1.2.3."u8, 0xFF]),
            .. Alert("h.2", "192.0.2.80"u8.ToArray(), ",\"full_log\":\"\\ud800\""),
            .. Alert("h.3", "192.0.2.81\\udc00"u8.ToArray()),
            .. Alert("h.4", "192.0.2.82"u8.ToArray(), ",\"x\":1" + new string('0', 80)),
            .. Alert("h.5", "192.0.2.83"u8.ToArray(), ",\"x\":" + new string('[', 300) + new string(']', 300)),
            .. Alert("h.6", [.. "192.0.2.84"u8, 0]),
            .. Alert("g.1", Encoding.UTF8.GetBytes(goodIp)),
        ];
    }

    [Fact]
    public async Task Hostile_stdin_lines_are_reported_and_the_alerts_after_them_still_run()
    {
        using var home = new TestHome(timeout: 600);

        var result = await CliRunner.RunProcessAsync(["serve", "--home", home.Path, "--alerts", "-", "--until-idle"], HostileThenGood("192.0.2.90"));

        result.ExitCode.ShouldBe(0, result.Error);
        home.Events().ShouldBe(["add 192.0.2.90"]);
        var log = result.Out + result.Error;
        foreach (var line in new[] { 2, 3, 4, 5, 6 })
        {
            log.ShouldContain($"stdin:{line}: malformed alert at byte offset ");
        }

        log.ShouldNotContain("stdin:1: malformed");
        log.ShouldNotContain("Unhandled exception");
    }

    [Fact]
    public async Task Hostile_alerts_json_lines_are_reported_and_the_alerts_after_them_still_run()
    {
        using var home = new TestHome(timeout: 600);
        File.WriteAllBytes(home.Alerts, HostileThenGood("192.0.2.91"));

        var result = await CliRunner.RunProcessAsync(["serve", "--home", home.Path, "--alerts", home.Alerts, "--from-start", "--until-idle"]);

        result.ExitCode.ShouldBe(0, result.Error);
        home.Events().ShouldBe(["add 192.0.2.91"]);
        (result.Out + result.Error).ShouldContain($"{home.Alerts}:2: malformed alert at byte offset ");
    }
}
