using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Riposte.Config.Settings;
using Riposte.Notifications.Infrastructure;

namespace Riposte.Notifications.Grouping;

public sealed class GroupingTests
{
    private static FakeTimeProvider Clock() => new(DateTimeOffset.Parse("2026-12-02T12:00:00Z", CultureInfo.InvariantCulture));

    [Fact]
    public async Task Events_in_group_wait_leave_as_one_digest_with_the_top_rules()
    {
        using var receiver = new HttpReceiver();
        var time = Clock();
        await using var audit = await Audit.OpenAsync(time);
        var (service, run, stop) = audit.Deliver(Audit.Webhook(receiver.Url) with
        {
            Grouping = new NotificationGrouping { GroupWait = TimeSpan.FromSeconds(30), GroupInterval = TimeSpan.FromMinutes(5) },
        });
        await using (service)
        {
            long last = 0;
            for (int i = 0; i < 38; i++)
            {
                last = await audit.AddAsync("add", key: $"192.0.2.{i}", rule: i < 30 ? "5712" : "5763");
            }

            await audit.AddAsync("delete", key: "192.0.2.200");
            await Poll.UntilAsync(() => service.Stats["hook"].Read > last, "the events read");
            await Task.Delay(200, TestContext.Current.CancellationToken);
            receiver.Requests.ShouldBe(0, "nothing leaves before group_wait");

            await Poll.UntilAsync(() => receiver.Accepted.Count >= 2, "the digests", time, TimeSpan.FromSeconds(5));
            var digest = receiver.Accepted.Single(b => (bool?)b["digest"] == true);
            ((int)digest["count"]!).ShouldBe(38);
            ((string)digest["summary"]!).ShouldBe("38 addresses blocked by firewall-drop600 in the last minute, top rules 5712 (30), 5763 (8)");
            digest["events"]!.AsArray().Count.ShouldBe(DigestText.SampleSize);
            receiver.Accepted.ShouldContain(b => (string?)b["event"] == "delete", "another kind is its own group, here of one");

            // While the group keeps hearing events, the next digest waits group_interval after the last one.
            int before = receiver.Requests;
            await audit.AddAsync("add", key: "192.0.2.100");
            await Poll.UntilAsync(() => service.Stats["hook"].Read > last + 1, "the next event read");
            time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(200, TestContext.Current.CancellationToken);
            receiver.Requests.ShouldBe(before, "within group_interval");
            await Poll.UntilAsync(() => receiver.Requests > before, "the second digest", time, TimeSpan.FromMinutes(1));
            await stop.CancelAsync();
            await run;
        }

        ((string)receiver.Accepted.Last()["keys"]![0]!).ShouldBe("192.0.2.100");
    }

    [Fact]
    public async Task The_rate_limit_holds_messages_back_and_sends_what_waited_as_one_digest()
    {
        using var receiver = new HttpReceiver();
        var time = Clock();
        await using var audit = await Audit.OpenAsync(time);
        var (service, run, stop) = audit.Deliver(Audit.Webhook(receiver.Url) with { RateLimit = 2, RateInterval = TimeSpan.FromMinutes(1) });
        await using (service)
        {
            long last = 0;
            for (int i = 1; i <= 5; i++)
            {
                last = await audit.AddAsync("add", key: $"192.0.2.{i}");
            }

            await Poll.UntilAsync(() => receiver.Accepted.Count >= 2 && service.Stats["hook"].Read >= last, "two messages");
            await Task.Delay(200, TestContext.Current.CancellationToken);
            receiver.Requests.ShouldBe(2, "the cap is two a minute");
            await Poll.UntilAsync(() => receiver.Accepted.Count >= 3, "the digest after the window", time, TimeSpan.FromSeconds(10));
            await stop.CancelAsync();
            await run;
        }

        var digest = receiver.Accepted.Last();
        ((int)digest["count"]!).ShouldBe(3);
        ((string)digest["summary"]!).ShouldStartWith("3 addresses blocked by firewall-drop600");
    }

    [Fact]
    public void Past_max_pending_the_oldest_events_collapse_into_a_count()
    {
        var target = new NotificationTarget { Name = "n", Url = new Uri("http://x/"), MaxPending = 3 };
        var grouper = new Grouper(target);
        var now = DateTimeOffset.UnixEpoch;
        for (int i = 1; i <= 10; i++)
        {
            grouper.Add(Event(i), now);
        }

        grouper.Pending.ShouldBe(10);
        grouper.OldestId.ShouldBe(8);
        var batch = grouper.Next(now, limited: false, out _)!;
        batch.Events.Select(e => e.Id).ShouldBe([8L, 9L, 10L]);
        batch.Omitted.ShouldBe(7);
        var message = DigestText.Build("n", batch.Events, batch.Omitted, now);
        message.Count.ShouldBe(10);
        message.Summary.ShouldContain("7 more events not shown");
        grouper.Complete(batch, now);
        grouper.Pending.ShouldBe(0);
    }

    private static Events.ResponseEvent Event(long id) => new(id, DateTimeOffset.UnixEpoch, "add", "info", null, "firewall-drop600", null,
        [$"192.0.2.{id}"], "firewall-drop", null, "5712", 10, 0, 3, null, "test");
}
