using System.Net;
using System.Text.Json;

namespace Riposte.Cli.Api;

/// <summary><c>/api/v1/active</c> and <c>/api/v1/history</c> against a real daemon whose entries come from <c>riposte trigger</c>.</summary>
public sealed class ApiActiveHistoryTests(ApiDaemonFixture fixture) : IClassFixture<ApiDaemonFixture>
{
    private ApiDaemon Daemon => fixture.Daemon;

    private static string[] Names(JsonElement item) => [.. item.EnumerateObject().Select(p => p.Name)];

    [Fact]
    public async Task Active_lists_entries_with_filters_paging_and_a_total()
    {
        await Daemon.TriggerAsync("198.51.100.11");
        await Daemon.TriggerAsync("198.51.100.12");
        await Daemon.TriggerAsync("198.51.100.13");

        var one = await Daemon.GetJsonAsync("/api/v1/active?key=198.51.100.12");
        one.GetProperty("total").GetInt32().ShouldBe(1);
        var item = one.GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        Names(item).ShouldBe(["rkey", "response", "program", "keys", "added_at", "expires_at", "seconds_left", "offense", "status", "alert_id", "agent"]);
        item.GetProperty("agent").ValueKind.ShouldBe(JsonValueKind.Null, "this host's own entry");
        item.GetProperty("rkey").GetString().ShouldBe("firewall-drop-198.51.100.12");
        item.GetProperty("response").GetString().ShouldBe("firewall-drop600");
        item.GetProperty("program").GetString().ShouldBe("active-response/bin/firewall-drop");
        item.GetProperty("keys")[0].GetString().ShouldBe("198.51.100.12");
        item.GetProperty("seconds_left").GetInt64().ShouldBeInRange(590, 600);
        item.GetProperty("offense").GetInt32().ShouldBe(1);
        item.GetProperty("status").GetString().ShouldBe("active");
        (item.GetProperty("expires_at").GetDateTimeOffset() - item.GetProperty("added_at").GetDateTimeOffset()).ShouldBe(TimeSpan.FromSeconds(600));

        (await Daemon.GetJsonAsync("/api/v1/active?key=firewall-drop-198.51.100.13")).GetProperty("total").GetInt32().ShouldBe(1);
        (await Daemon.GetJsonAsync("/api/v1/active?response=no-such-ar")).GetProperty("total").GetInt32().ShouldBe(0);

        var all = await Daemon.GetJsonAsync("/api/v1/active?response=firewall-drop600&limit=1000");
        var total = all.GetProperty("total").GetInt32();
        total.ShouldBeGreaterThanOrEqualTo(3);
        var rkeys = all.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("rkey").GetString()).ToList();
        var paged = new List<string?>();
        for (var offset = 0; offset < total; offset += 2)
        {
            var page = await Daemon.GetJsonAsync($"/api/v1/active?response=firewall-drop600&limit=2&offset={offset}");
            page.GetProperty("total").GetInt32().ShouldBe(total);
            page.GetProperty("limit").GetInt32().ShouldBe(2);
            page.GetProperty("offset").GetInt32().ShouldBe(offset);
            paged.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("rkey").GetString()));
        }

        paged.ShouldBe(rkeys);
    }

    [Theory]
    [InlineData("/api/v1/active?limit=0")]
    [InlineData("/api/v1/active?limit=abc")]
    [InlineData("/api/v1/active?limit=1001")]
    [InlineData("/api/v1/active?offset=-1")]
    [InlineData("/api/v1/history?limit=0")]
    [InlineData("/api/v1/history?before=x")]
    [InlineData("/api/v1/history?after=-3")]
    [InlineData("/api/v1/history?before=5&after=2")]
    [InlineData("/api/v1/history?since=yesterday-ish")]
    [InlineData("/api/v1/history?event=exploded")]
    [InlineData("/api/v1/events?after=abc")]
    public async Task Bad_query_parameters_are_400_problems(string path)
    {
        using var response = await Daemon.Client.GetAsync(path, TestContext.Current.CancellationToken);
        await ApiDaemon.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Delete_revokes_through_the_engine_and_an_unknown_rkey_is_404()
    {
        await Daemon.TriggerAsync("198.51.100.21");
        using var response = await Daemon.Client.DeleteAsync("/api/v1/active/firewall-drop-198.51.100.21", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var reply = JsonDocument.Parse(body).RootElement;
        reply.GetProperty("ok").GetBoolean().ShouldBeTrue();
        var revoked = reply.GetProperty("revoked").EnumerateArray().ShouldHaveSingleItem();
        revoked.GetProperty("rkey").GetString().ShouldBe("firewall-drop-198.51.100.21");
        revoked.GetProperty("result").GetString().ShouldBe("continued");

        // The delete program ran (the test program records it) and the entry is gone.
        Daemon.Home.Events().ShouldContain("delete 198.51.100.21");
        (await Daemon.GetJsonAsync("/api/v1/active?key=198.51.100.21")).GetProperty("total").GetInt32().ShouldBe(0);

        using var again = await Daemon.Client.DeleteAsync("/api/v1/active/firewall-drop-198.51.100.21", TestContext.Current.CancellationToken);
        (await ApiDaemon.ShouldBeProblemAsync(again, HttpStatusCode.NotFound)).GetProperty("detail").GetString()!.ShouldContain("firewall-drop-198.51.100.21");

        var history = await Daemon.GetJsonAsync("/api/v1/history?key=198.51.100.21");
        history.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("event").GetString()).ShouldBe(["revoke", "add", "continue"]);
    }

    [Fact]
    public async Task History_is_newest_first_as_response_events_and_pages_back_and_forth_by_id()
    {
        await Daemon.TriggerAsync("198.51.100.31");
        await Daemon.TriggerAsync("198.51.100.32");
        await Daemon.TriggerAsync("198.51.100.33");

        var first = await Daemon.GetJsonAsync("/api/v1/history?limit=2");
        Names(first).ShouldBe(["items", "next_before", "next_after"]);
        var items = first.GetProperty("items").EnumerateArray().ToList();
        items.Count.ShouldBe(2);
        Names(items[0]).ShouldBe(["id", "time", "event", "severity", "agent", "response", "rkey", "keys", "program", "alert_id", "rule_id", "rule_level",
            "exit_code", "duration_ms", "detail", "source"]);
        items[0].GetProperty("id").GetInt64().ShouldBeGreaterThan(items[1].GetProperty("id").GetInt64());
        items[0].GetProperty("rkey").GetString().ShouldBe("firewall-drop-198.51.100.33");
        items[0].GetProperty("source").GetString().ShouldBe("trigger");
        first.GetProperty("next_before").GetInt64().ShouldBe(items[1].GetProperty("id").GetInt64());
        first.GetProperty("next_after").GetInt64().ShouldBe(items[0].GetProperty("id").GetInt64());

        // Walking back with next_before visits every event once, in descending id order.
        var all = (await Daemon.GetJsonAsync("/api/v1/history?limit=1000")).GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();
        var walked = new List<long>();
        var path = "/api/v1/history?limit=2";
        while (true)
        {
            var page = await Daemon.GetJsonAsync(path);
            var ids = page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();
            if (ids.Count == 0)
            {
                page.GetProperty("next_before").ValueKind.ShouldBe(JsonValueKind.Null);
                break;
            }

            walked.AddRange(ids);
            path = $"/api/v1/history?limit=2&before={page.GetProperty("next_before").GetInt64()}";
        }

        walked.ShouldBe(all);

        // Forward from an older id: the oldest events after it, still shown newest first.
        var oldest = all[^1];
        var forward = await Daemon.GetJsonAsync($"/api/v1/history?limit=2&after={oldest}");
        forward.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ShouldBe(all.Where(i => i > oldest).OrderBy(i => i).Take(2).Reverse());

        var adds = await Daemon.GetJsonAsync("/api/v1/history?event=add&key=198.51.100.32&since=1h&response=firewall-drop600");
        var add = adds.GetProperty("items").EnumerateArray().ShouldHaveSingleItem();
        add.GetProperty("event").GetString().ShouldBe("add");
        add.GetProperty("exit_code").GetInt32().ShouldBe(0);
        (await Daemon.GetJsonAsync("/api/v1/history?since=2999-01-01T00:00:00Z")).GetProperty("items").GetArrayLength().ShouldBe(0);
        (await Daemon.GetJsonAsync("/api/v1/history?response=nothing-like-it")).GetProperty("items").GetArrayLength().ShouldBe(0);
    }
}
