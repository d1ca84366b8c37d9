using System.Net.Http.Headers;
using System.Text.Json;
using Riposte.Cli.Api;
using Riposte.Cli.Events;
using Riposte.Nats;

namespace Riposte.Fleet;

/// <summary>A manager's API, dashboard data and events file show the agents and what they did.</summary>
public sealed class FleetApiTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private const string LocalBlock =
        "<active-response><command>firewall-drop</command><location>local</location><rules_id>101</rules_id><timeout>600</timeout></active-response>";

    [Fact]
    public async Task Agents_their_active_responses_and_their_outcomes_reach_the_managers_api_and_events_file()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        await using var setup = await ManagerWithApi.StartAsync(LocalBlock, Ct);
        setup.StartAgent();
        var (fleet, home, manager, client) = (setup.Fleet, setup.AgentHome, setup.Manager, setup.Client);

        // The live stream on a manager carries the agents' events, with an id that is a position in both logs.
        using var events = await client.GetAsync("/api/v1/events", HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync(Ct));
        var header = await reader.ReadLineAsync(Ct);
        header.ShouldBe("retry: 2000");
        (await reader.ReadLineAsync(Ct))!.ShouldMatch(@"^: riposte events after id \d+\.\d+$");
        fleet.Alert("101", "001", "192.0.2.66", "7.1");
        string? id = null;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(60));
            while (await reader.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains("\"agent\":\"001\"", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }

        id.ShouldNotBeNull();
        id.ShouldMatch(@"^\d+\.\d+$");
        await TestHome.WaitForAsync(() => FleetHomes.Adds(home, "192.0.2.66") == 1, "the agent's add", 30_000);

        JsonElement active = default;
        await TestHome.WaitForAsync(() =>
        {
            active = Get(client, "/api/v1/active?key=192.0.2.66");
            return active.GetProperty("total").GetInt32() == 1;
        }, "the agent's entry on the manager", 30_000);
        var entry = active.GetProperty("items")[0];
        (entry.GetProperty("agent").GetString(), entry.GetProperty("response").GetString()).ShouldBe(("001", "firewall-drop600"));
        Get(client, "/api/v1/active?agent=local").GetProperty("total").GetInt32().ShouldBe(0, "the manager itself blocks nothing");

        var agents = Get(client, "/api/v1/agents");
        agents.GetProperty("fleet").GetBoolean().ShouldBeTrue();
        var only = agents.GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        (only.GetProperty("agent").GetString(), only.GetProperty("state").GetString()).ShouldBe(("001", "active"));

        // The agent's outcome reaches Wazuh through the manager's events file, attributed to the agent.
        var eventsFile = EventsFileWriter.PathIn(fleet.Manager.Path);
        await TestHome.WaitForAsync(() => File.Exists(eventsFile) && File.ReadAllLines(eventsFile)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("riposte"))
            .Any(r => r.TryGetProperty("agent", out var a) && a.GetString() == "001" && r.GetProperty("event").GetString() == "add"),
            "the agent's add in the manager's events file", 30_000);
        // With the alert's rule, so a manager's notifications and Wazuh rules can filter agents' outcomes by rule.
        var add = File.ReadAllLines(eventsFile).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("riposte"))
            .First(r => r.TryGetProperty("agent", out var a) && a.GetString() == "001" && r.GetProperty("event").GetString() == "add");
        (add.GetProperty("rule_id").GetString(), add.GetProperty("rule_level").GetInt32()).ShouldBe(("101", 10));
        // The agents' history through the API: agent=ID or *, paged by the fleet history's own ids.
        var agentHistory = Get(client, "/api/v1/history?agent=001");
        agentHistory.GetProperty("items").EnumerateArray()
            .ShouldContain(e => e.GetProperty("event").GetString() == "add" && e.GetProperty("rule_id").GetString() == "101" && e.GetProperty("agent").GetString() == "001");
        var all = Get(client, "/api/v1/history?agent=*&limit=1");
        var newest = all.GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        newest.GetProperty("agent").GetString().ShouldBe("001");
        var older = Get(client, $"/api/v1/history?agent=*&before={all.GetProperty("next_before").GetInt64()}");
        older.GetProperty("items").EnumerateArray().ShouldAllBe(e => e.GetProperty("id").GetInt64() < newest.GetProperty("id").GetInt64());
        Get(client, "/api/v1/history?agent=002").GetProperty("items").GetArrayLength().ShouldBe(0);
        Get(client, "/api/v1/history?agent=local").GetProperty("items").EnumerateArray().ShouldAllBe(e => e.GetProperty("agent").ValueKind == JsonValueKind.Null);
        using (var bad = await client.GetAsync("/api/v1/history?agent=..", Ct))
        {
            bad.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task Wazuhs_put_active_response_reaches_an_enrolled_agent_that_starts_later_and_an_unknown_one_is_1701()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        await using var setup = await ManagerWithApi.StartAsync(LocalBlock, Ct);
        var (home, client) = (setup.AgentHome, setup.Client);

        using var response = await client.PutAsync("/active-response?agents_list=001,002", new StringContent(
            """{"command":"firewall-drop600","arguments":[],"alert":{"data":{"srcip":"192.0.2.88"}}}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        response.IsSuccessStatusCode.ShouldBeTrue(body);
        var data = JsonDocument.Parse(body).RootElement.GetProperty("data");
        data.GetProperty("affected_items").EnumerateArray().Select(e => e.GetString()).ShouldBe(["001"]);
        var failed = data.GetProperty("failed_items").EnumerateArray().ShouldHaveSingleItem();
        failed.GetProperty("error").GetProperty("code").GetInt32().ShouldBe(1701);
        failed.GetProperty("id").EnumerateArray().Select(e => e.GetString()).ShouldBe(["002"]);

        // The agent was down when the call came: the command waited on its stream.
        setup.StartAgent();
        await TestHome.WaitForAsync(() => FleetHomes.Adds(home, "192.0.2.88") == 1, "the agent's add", 30_000);
    }

    [Fact]
    public async Task An_agents_entry_revoked_through_the_managers_api_runs_its_delete_on_that_agent()
    {
        Assert.SkipUnless(NatsServerProcess.IsAvailable, "needs nats-server");
        await using var setup = await ManagerWithApi.StartAsync(LocalBlock, Ct);
        setup.StartAgent();
        var (fleet, home, manager, client) = (setup.Fleet, setup.AgentHome, setup.Manager, setup.Client);

        fleet.Alert("101", "001", "192.0.2.67", "7.2");
        await TestHome.WaitForAsync(() => Get(client, "/api/v1/active?key=192.0.2.67").GetProperty("total").GetInt32() == 1,
            "the agent's entry on the manager", 60_000);
        var rkey = Get(client, "/api/v1/active?key=192.0.2.67").GetProperty("items")[0].GetProperty("rkey").GetString()!;

        // Without agent=, the manager's own entries: it has none, so nothing is run anywhere.
        using (var local = await client.DeleteAsync($"/api/v1/active/{Uri.EscapeDataString(rkey)}", Ct))
        {
            local.StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        }

        using (var unknown = await client.DeleteAsync($"/api/v1/active/{Uri.EscapeDataString(rkey)}?agent=002", Ct))
        {
            unknown.StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound, "002 is not enrolled");
        }

        using (var bad = await client.DeleteAsync($"/api/v1/active/{Uri.EscapeDataString(rkey)}?agent=..%2F001", Ct))
        {
            bad.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        }

        FleetHomes.Adds(home, "192.0.2.67").ShouldBe(1);
        home.Events().ShouldNotContain("delete 192.0.2.67");

        using var revoke = await client.DeleteAsync($"/api/v1/active/{Uri.EscapeDataString(rkey)}?agent=001", Ct);
        var body = await revoke.Content.ReadAsStringAsync(Ct);
        revoke.StatusCode.ShouldBe(System.Net.HttpStatusCode.Accepted, body);
        var sent = JsonDocument.Parse(body).RootElement;
        (sent.GetProperty("ok").GetBoolean(), sent.GetProperty("agent").GetString(), sent.GetProperty("key").GetString()).ShouldBe((true, "001", rkey));
        sent.GetProperty("command_id").GetString().ShouldNotBeNullOrEmpty();

        // The agent runs the delete program, and the manager learns it from the agent's outcome.
        await TestHome.WaitForAsync(() => home.Events().Count(e => e == "delete 192.0.2.67") == 1, "the delete on the agent", 60_000);
        await TestHome.WaitForAsync(() => Get(client, "/api/v1/active?key=192.0.2.67").GetProperty("total").GetInt32() == 0,
            "the entry gone from the manager's list", 60_000);
        home.Events().Count(e => e == "delete 192.0.2.67").ShouldBe(1, "one revoke, one delete");
    }

    [Fact]
    public async Task Revoking_on_an_agent_and_reading_agents_history_need_a_manager()
    {
        await using var daemon = await ApiDaemon.StartAsync();
        using var response = await daemon.Client.DeleteAsync("/api/v1/active/192.0.2.68?agent=001", Ct);
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("not a fleet manager");
        using var history = await daemon.Client.GetAsync("/api/v1/history?agent=*", Ct);
        history.StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_single_host_has_no_agents()
    {
        await using var daemon = await ApiDaemon.StartAsync();
        var agents = await daemon.GetJsonAsync("/api/v1/agents");
        agents.GetProperty("fleet").GetBoolean().ShouldBeFalse();
        agents.GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    private static JsonElement Get(HttpClient client, string path)
    {
        using var response = client.GetAsync(path, Ct).Result;
        var body = response.Content.ReadAsStringAsync(Ct).Result;
        response.IsSuccessStatusCode.ShouldBeTrue(body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
