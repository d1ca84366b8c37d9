using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Riposte.Fleet.Messages;
using Riposte.Fleet.View;

namespace Riposte.Cli.Commands;

/// <summary><c>status</c> and <c>history</c> on a manager with a fleet view: the agents' rows beside the local ones.</summary>
public sealed class StatusHistoryFleetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Status_shows_the_agents_active_responses_beside_the_managers_own()
    {
        using var home = new TestHome();
        await TriggerLocalAsync(home);
        await WriteFleetAsync(home);

        var json = await CliRunner.RunAsync(["status", "--home", home.Path, "--format", "json"]);

        json.ExitCode.ShouldBe(0, json.Error);
        var rows = JsonDocument.Parse(json.Out).RootElement.EnumerateArray().ToList();
        rows.Select(r => (r.GetProperty("agent").GetString(), r.GetProperty("rkey").GetString())).ShouldBe(
            [("003", "firewall-drop-198.51.100.7"), ("manager", "firewall-drop-203.0.113.6")]);
        rows[0].GetProperty("ar").GetString().ShouldBe("firewall-drop600");
        rows[0].GetProperty("alert_id").GetString().ShouldBe("alert-7");
        rows[0].GetProperty("remaining_s").GetInt64().ShouldBeInRange(1, 300);
        rows[0].GetProperty("offense").ValueKind.ShouldBe(JsonValueKind.Null);
        rows[1].GetProperty("offense").GetInt32().ShouldBe(1);

        var text = await CliRunner.RunAsync(["status", "--home", home.Path]);
        text.OutLines[0].ShouldStartWith("AGENT    RKEY ");
        text.OutLines[1].ShouldStartWith("003      firewall-drop-198.51.100.7 ");
        text.OutLines[1].ShouldContain("firewall-drop600");
        text.OutLines[2].ShouldStartWith("manager  firewall-drop-203.0.113.6 ");
        text.OutLines[3].ShouldBe("2 active");
    }

    [Theory]
    [InlineData("003", "003")]
    [InlineData("manager", "manager")]
    [InlineData("000", "manager")]
    public async Task Status_agent_filter_keeps_one_agents_rows(string filter, string expected)
    {
        using var home = new TestHome();
        await TriggerLocalAsync(home);
        await WriteFleetAsync(home);

        var result = await CliRunner.RunAsync(["status", "--home", home.Path, "--format", "json", "--agent", filter]);

        result.ExitCode.ShouldBe(0, result.Error);
        JsonDocument.Parse(result.Out).RootElement.EnumerateArray().ShouldHaveSingleItem().GetProperty("agent").GetString().ShouldBe(expected);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("history")]
    public async Task An_agent_filter_that_is_no_agent_id_is_refused(string command)
    {
        using var home = new TestHome();

        var result = await CliRunner.RunAsync([command, "--home", home.Path, "--agent", "../x"]);

        result.ExitCode.ShouldNotBe(0);
        result.Error.ShouldContain("--agent");
    }

    [Fact]
    public async Task History_merges_the_fleets_rows_newest_first_with_an_agent_field()
    {
        using var home = new TestHome();
        await WriteFleetAsync(home, at: TimeProvider.System.GetUtcNow().AddHours(-1));
        await TriggerLocalAsync(home);

        var result = await CliRunner.RunAsync(["history", "--home", home.Path, "--format", "json"]);

        result.ExitCode.ShouldBe(0, result.Error);
        var rows = JsonDocument.Parse(result.Out).RootElement.EnumerateArray().ToList();
        var agents = rows.Select(r => r.GetProperty("agent").GetString()).ToList();
        // The local trigger is newer than the fleet's rows (an hour old), so it comes first.
        agents[0].ShouldBe("manager");
        agents.ShouldContain("003");
        agents.ShouldContain("004");
        agents.IndexOf("003").ShouldBeGreaterThan(agents.LastIndexOf("manager"));
        var expired = rows.Single(r => r.GetProperty("agent").GetString() == "004");
        expired.GetProperty("event").GetString().ShouldBe("expired");
        expired.GetProperty("program").ValueKind.ShouldBe(JsonValueKind.Null);
        expired.GetProperty("detail").GetString().ShouldBe("not taken by agent 004 within its time-to-live");
        var outcome = rows.Single(r => r.GetProperty("agent").GetString() == "003");
        outcome.GetProperty("program").GetString().ShouldBe("active-response/bin/firewall-drop");
        outcome.GetProperty("source").GetString().ShouldBe("fleet:cmd-7");

        var text = await CliRunner.RunAsync(["history", "--home", home.Path, "--agent", "003"]);
        text.OutLines.ShouldHaveSingleItem().ShouldContain(" 003     add      firewall-drop-198.51.100.7 firewall-drop600 exit 0 ");
    }

    [Fact]
    public async Task History_filters_apply_to_the_fleets_rows_too()
    {
        using var home = new TestHome();
        await WriteFleetAsync(home, at: TimeProvider.System.GetUtcNow().AddHours(-1));
        await TriggerLocalAsync(home);

        async Task<List<string?>> AgentsOf(params string[] args)
        {
            var result = await CliRunner.RunAsync(["history", "--home", home.Path, "--format", "json", .. args]);
            result.ExitCode.ShouldBe(0, result.Error);
            return [.. JsonDocument.Parse(result.Out).RootElement.EnumerateArray().Select(r => r.GetProperty("agent").GetString())];
        }

        (await AgentsOf("--agent", "003")).ShouldBe(["003"]);
        (await AgentsOf("--agent", "manager")).ShouldAllBe(a => a == "manager");
        (await AgentsOf("--agent", "manager")).ShouldNotBeEmpty();
        (await AgentsOf("--key", "198.51.100.7")).ShouldBe(["003"]);
        (await AgentsOf("--event", "expired")).ShouldBe(["004"]);
        (await AgentsOf("--since", "30m")).ShouldAllBe(a => a == "manager");
        (await AgentsOf("--limit", "1")).ShouldBe(["manager"]);
    }

    [Fact]
    public async Task Without_a_fleet_view_status_and_history_have_no_agent_column()
    {
        using var home = new TestHome();
        await TriggerLocalAsync(home);

        var status = await CliRunner.RunAsync(["status", "--home", home.Path, "--format", "json"]);
        var history = await CliRunner.RunAsync(["history", "--home", home.Path, "--format", "json"]);
        var text = await CliRunner.RunAsync(["status", "--home", home.Path]);

        JsonDocument.Parse(status.Out).RootElement.GetArrayLength().ShouldBe(1);
        JsonDocument.Parse(status.Out).RootElement.EnumerateArray().Any(r => r.TryGetProperty("agent", out _)).ShouldBeFalse();
        JsonDocument.Parse(history.Out).RootElement.GetArrayLength().ShouldBeGreaterThan(0);
        JsonDocument.Parse(history.Out).RootElement.EnumerateArray().Any(r => r.TryGetProperty("agent", out _)).ShouldBeFalse();
        text.OutLines[0].ShouldStartWith("RKEY ");
        // An agent's filter on a home without a fleet finds nothing, and says so as before.
        (await CliRunner.RunAsync(["status", "--home", home.Path, "--agent", "003"])).Out.ShouldBe("no active responses\n");
        (await CliRunner.RunAsync(["history", "--home", home.Path, "--agent", "003"])).Out.ShouldBe("no history\n");
        File.Exists(AgentsCommandTests.Paths(home).FleetState).ShouldBeFalse();
    }

    private static async Task TriggerLocalAsync(TestHome home)
    {
        var result = await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop600", "--srcip", "203.0.113.6"]);
        result.ExitCode.ShouldBe(0, result.Error);
    }

    private static async Task WriteFleetAsync(TestHome home, DateTimeOffset? at = null)
    {
        var now = at ?? TimeProvider.System.GetUtcNow();
        var time = new FakeTimeProvider(now);
        await using var store = await FleetStore.OpenAsync(AgentsCommandTests.Paths(home).FleetState, time, Ct);
        // Expires in 5 minutes of the real clock: sorts before the local 600 s response in status.
        var expires = TimeProvider.System.GetUtcNow().AddMinutes(5);
        await store.RecordSentAsync(new SentCommand("cmd-7", "003", "exec", "firewall-drop600", "alert-7", "198.51.100.7", now, now.AddMinutes(10), "m1"), Ct);
        await store.RecordOutcomeAsync(new AgentOutcome(
            "003", "inst", 1, now.ToUnixTimeMilliseconds(), "add", "firewall-drop-198.51.100.7", "active-response/bin/firewall-drop", "firewall-drop600",
            "alert-7", ["198.51.100.7"], 0, 15, null, "fleet:cmd-7", expires.ToUnixTimeMilliseconds()), Ct);
        await store.RecordSentAsync(new SentCommand("cmd-8", "004", "exec", "firewall-drop600", "alert-8", "192.0.2.8", now.AddMinutes(-20), now.AddMinutes(-10), "m1"), Ct);
        (await store.ExpireOverdueAsync(now, Ct)).ShouldHaveSingleItem();
    }
}
