using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Riposte.Fleet.Messages;
using Riposte.Fleet.Registry;
using Riposte.Fleet.View;

namespace Riposte.Cli.Commands;

/// <summary><c>riposte agents</c>: the registry's agents and the fleet view's, with presence and what waits for them.</summary>
public sealed class AgentsCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("text", "no fleet here: enrol agents with riposte fleet add-agent\n")]
    [InlineData("json", "[]\n")]
    public async Task A_home_without_fleet_files_says_so_and_succeeds(string format, string expected)
    {
        using var home = new TestHome();

        var result = await CliRunner.RunAsync(["agents", "--home", home.Path, "--format", format]);

        result.ExitCode.ShouldBe(0, result.Error);
        result.Out.ShouldBe(expected);
        File.Exists(Paths(home).FleetState).ShouldBeFalse();
    }

    [Fact]
    public async Task Every_enrolled_and_every_seen_agent_is_listed_with_its_state()
    {
        using var home = new TestHome();
        await WriteFleetAsync(home);

        var result = await CliRunner.RunAsync(["agents", "--home", home.Path, "--format", "json"]);

        result.ExitCode.ShouldBe(0, result.Error);
        var agents = JsonDocument.Parse(result.Out).RootElement.EnumerateArray().ToDictionary(a => a.GetProperty("id").GetString()!);
        agents.Keys.ShouldBe(["001", "002", "003", "004", "005"]);
        agents.Values.Select(a => a.GetProperty("state").GetString()).ShouldBe(["active", "never seen", "disconnected", "stopped", "unknown"]);

        var web = agents["001"];
        web.GetProperty("version").GetString().ShouldBe("1.4.0");
        web.GetProperty("hostname").GetString().ShouldBe("web-1");
        web.GetProperty("active").GetInt32().ShouldBe(2);
        web.GetProperty("pending").GetInt32().ShouldBe(1);
        web.GetProperty("groups").EnumerateArray().Select(g => g.GetString()).ShouldBe(["web"]);
        web.GetProperty("transport").GetString().ShouldBe("riposte");
        web.GetProperty("last_seen_ago_s").GetInt64().ShouldBeLessThan(600);

        var never = agents["002"];
        never.GetProperty("last_seen").ValueKind.ShouldBe(JsonValueKind.Null);
        never.GetProperty("active").ValueKind.ShouldBe(JsonValueKind.Null);
        never.GetProperty("pending").GetInt32().ShouldBe(0);

        // Seen but no longer in the registry: listed, without groups.
        var gone = agents["003"];
        gone.GetProperty("last_seen_ago_s").GetInt64().ShouldBeGreaterThanOrEqualTo(2 * 86400);
        gone.GetProperty("groups").GetArrayLength().ShouldBe(0);

        agents["005"].GetProperty("transport").GetString().ShouldBe("wazuh");
    }

    [Fact]
    public async Task The_text_listing_is_an_aligned_table_with_relative_and_absolute_last_seen()
    {
        using var home = new TestHome();
        await WriteFleetAsync(home);

        var result = await CliRunner.RunAsync(["agents", "--home", home.Path]);

        result.ExitCode.ShouldBe(0, result.Error);
        var lines = result.OutLines;
        lines[0].ShouldStartWith("ID       STATE        LAST SEEN");
        lines[0].ShouldEndWith("TRANSPORT GROUPS");
        lines.Length.ShouldBe(7);
        var columns = new[] { "STATE", "LAST SEEN", "VERSION", "HOSTNAME", "TRANSPORT" };
        foreach (var line in lines[1..6])
        {
            // Every row's state starts under STATE, and its transport under TRANSPORT.
            line[lines[0].IndexOf("STATE", StringComparison.Ordinal) - 1].ShouldBe(' ');
            line[lines[0].IndexOf("STATE", StringComparison.Ordinal)].ShouldNotBe(' ');
            line[lines[0].IndexOf("TRANSPORT", StringComparison.Ordinal)].ShouldNotBe(' ');
        }

        lines[1].ShouldStartWith("001      active       ");
        lines[1].ShouldContain("1.4.0");
        lines[1].ShouldEndWith("riposte   web");
        lines[2].ShouldStartWith("002      never seen   -  ");
        lines[3].ShouldStartWith("003      disconnected 2d ago (");
        lines[4].ShouldStartWith("004      stopped      ");
        lines[4].ShouldEndWith("riposte   db,web");
        lines[5].ShouldStartWith("005      unknown      ");
        lines[6].ShouldBe("5 agents: 1 active, 1 disconnected, 1 stopped, 1 never seen, 1 unknown");
        columns.ShouldAllBe(c => lines[0].Contains(c, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_registry_without_a_fleet_view_lists_its_agents_as_never_seen()
    {
        using var home = new TestHome();
        WriteRegistry(home, new EnrolledAgent("001", ["web"], new Dictionary<string, string>()));

        var result = await CliRunner.RunAsync(["agents", "--home", home.Path, "--format", "json"]);

        result.ExitCode.ShouldBe(0, result.Error);
        var agent = JsonDocument.Parse(result.Out).RootElement.EnumerateArray().ShouldHaveSingleItem();
        agent.GetProperty("state").GetString().ShouldBe("never seen");
        File.Exists(Paths(home).FleetState).ShouldBeFalse();
    }

    [Fact]
    public async Task A_broken_registry_is_reported_not_ignored()
    {
        using var home = new TestHome();
        Directory.CreateDirectory(Paths(home).Directory);
        File.WriteAllText(Paths(home).Registry, "{ \"agents\": [ { \"id\": \"000\" } ] }");

        var result = await CliRunner.RunAsync(["agents", "--home", home.Path]);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("not an agent id");
    }

    internal static FleetPaths Paths(TestHome home) => FleetPaths.For(home.Path, Path.Combine(home.Path, "riposte", "state.db"));

    internal static void WriteRegistry(TestHome home, params EnrolledAgent[] agents)
    {
        Directory.CreateDirectory(Paths(home).Directory);
        File.WriteAllText(Paths(home).Registry, new AgentRegistry(agents).ToJson());
    }

    private static async Task WriteFleetAsync(TestHome home)
    {
        var none = new Dictionary<string, string>();
        WriteRegistry(
            home,
            new EnrolledAgent("001", ["web"], none),
            new EnrolledAgent("002", [], none),
            new EnrolledAgent("004", ["db", "web"], none),
            new EnrolledAgent("005", [], none, AgentTransport.Wazuh, "4.2.3"));

        // The CLI judges presence by the real clock: "active" gets an hour-long interval so a slow run cannot miss it.
        var now = TimeProvider.System.GetUtcNow();
        var time = new FakeTimeProvider(now.AddDays(-2));
        await using var store = await FleetStore.OpenAsync(Paths(home).FleetState, time, Ct);
        await store.RecordHeartbeatAsync(Heartbeat("003", 5_000), Ct);
        time.SetUtcNow(now);
        await store.RecordHeartbeatAsync(Heartbeat("001", 3_600_000), Ct);
        await store.RecordHeartbeatAsync(Heartbeat("004", 5_000) with { Stopping = true }, Ct);
        await store.RecordSentAsync(new SentCommand("cmd-1", "001", "exec", "firewall-drop600", "a1", "203.0.113.5", now, now.AddDays(1), "m1"), Ct);
    }

    private static AgentHeartbeat Heartbeat(string agent, long intervalMs) => new(agent, "1.4.0", 0, 0, intervalMs, 2, "web-1");
}
