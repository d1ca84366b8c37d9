using Microsoft.Extensions.Time.Testing;
using Riposte.Config.Settings;
using Riposte.Events;
using Riposte.Notifications.Infrastructure;

namespace Riposte.Notifications.Delivery;

public sealed class HttpDeliveryTests
{
    /// <summary>Each audit event, with the detail that makes a skip read as refused or rate-limited.</summary>
    internal static readonly (string Audit, string? Detail, string Kind)[] Kinds =
    [
        ("add", null, "add"), ("continue", null, "continue"), ("abort", null, "abort"), ("delete", null, "delete"), ("revoke", null, "revoke"),
        ("trigger", null, "trigger"), ("failure", "exit 1", "failure"), ("kill", "time limit", "kill"), ("skip", "refused to run on the host's own address", "refused"),
        ("skip", "not applied: over 10 new per minute", "rate-limited"), ("skip", "no program", "skip"), ("dry-run", null, "dry-run"),
        ("lapsed", null, "lapsed"), ("expired", null, "expired"), ("undeliverable", null, "undeliverable"), ("sent", null, "sent"),
        ("late", null, "late"), ("reconcile", null, "reconcile"),
    ];

    [Fact]
    public async Task Every_event_kind_reaches_the_webhook_as_its_event_json()
    {
        ResponseEventKinds.All.Order().ShouldBe(Kinds.Select(k => k.Kind).Order());
        using var receiver = new HttpReceiver();
        await using var audit = await Audit.OpenAsync(TimeProvider.System);
        var target = Audit.Webhook(receiver.Url) with
        {
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer t0ken" }.AsReadOnly(),
        };
        var (service, run, stop) = audit.Deliver(target);
        await using (service)
        {
            foreach (var (auditEvent, detail, _) in Kinds)
            {
                await audit.AddAsync(auditEvent, detail: detail);
            }

            await Poll.UntilAsync(() => receiver.Accepted.Count >= Kinds.Length, "every kind");
            await stop.CancelAsync();
            await run;
        }

        receiver.Accepted.Select(b => (string)b["event"]!).ShouldBe(Kinds.Select(k => k.Kind));
        var first = receiver.Accepted.First();
        ((string)first["response"]!).ShouldBe("firewall-drop600");
        ((string)first["keys"]![0]!).ShouldBe("203.0.113.7");
        ((string)first["rule_id"]!).ShouldBe("5712");
        receiver.Headers.ShouldContain(h => h.Name == "Authorization" && h.Value == "Bearer t0ken");
        service.Stats["hook"].Sent.ShouldBe(Kinds.Length);
    }

    [Fact]
    public async Task Slack_gets_text_and_blocks_and_teams_an_adaptive_card()
    {
        using var slack = new HttpReceiver();
        using var teams = new HttpReceiver();
        await using var audit = await Audit.OpenAsync(TimeProvider.System);
        var (service, run, stop) = audit.Deliver(Audit.Webhook(slack.Url, NotificationType.Slack),
            Audit.Webhook(teams.Url, NotificationType.Teams) with { Name = "teams" });
        await using (service)
        {
            await audit.AddAsync("add", key: "198.51.100.<b>");
            await audit.AddAsync("failure", detail: "exit 3");
            await Poll.UntilAsync(() => slack.Accepted.Count >= 2 && teams.Accepted.Count >= 2, "slack and teams");
            await stop.CancelAsync();
            await run;
        }

        var s = slack.Accepted.First();
        ((string)s["text"]!).ShouldContain("blocked 198.51.100.<b> by firewall-drop600 (rule 5712)");
        ((string)s["blocks"]![0]!["type"]!).ShouldBe("section");
        ((string)s["blocks"]![0]!["text"]!["text"]!).ShouldContain("198.51.100.&lt;b&gt;");
        ((string)slack.Accepted.Last()["text"]!).ShouldContain("FAILED");

        var t = teams.Accepted.First()["attachments"]![0]!["content"]!;
        ((string)t["type"]!).ShouldBe("AdaptiveCard");
        ((string)t["body"]![0]!["items"]![0]!["text"]!).ShouldContain("blocked 198.51.100.‹b›");
        ((string)teams.Accepted.Last()["attachments"]![0]!["content"]!["body"]![0]!["style"]!).ShouldBe("attention");
    }

    [Fact]
    public async Task A_failed_send_is_retried_with_back_off_until_the_receiver_answers()
    {
        using var receiver = new HttpReceiver { Answer = n => n <= 2 ? 500 : 200 };
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-02T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var audit = await Audit.OpenAsync(time);
        var (service, run, stop) = audit.Deliver(Audit.Webhook(receiver.Url) with
        {
            Retry = new NotificationRetry { MaxAttempts = 5, BaseDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromMinutes(1) },
        });
        await using (service)
        {
            await audit.AddAsync("add");
            await Poll.UntilAsync(() => receiver.Requests >= 1, "the first attempt");

            // No retry before the back-off has passed: the clock has not moved, so the receiver heard once.
            await Task.Delay(200, TestContext.Current.CancellationToken);
            receiver.Requests.ShouldBe(1);
            await Poll.UntilAsync(() => receiver.Accepted.Count == 1, "the third attempt", time, TimeSpan.FromSeconds(5));
            await stop.CancelAsync();
            await run;
        }

        receiver.Requests.ShouldBe(3);
        service.Stats["hook"].FailedAttempts.ShouldBe(2);
        service.Stats["hook"].GivenUp.ShouldBe(0);
        Backoff.After(new NotificationRetry { BaseDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromMinutes(1) }, 1).ShouldBe(TimeSpan.FromSeconds(10));
        Backoff.After(new NotificationRetry { BaseDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromMinutes(1) }, 2).ShouldBe(TimeSpan.FromSeconds(20));
        Backoff.After(new NotificationRetry { BaseDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromMinutes(1) }, 9).ShouldBe(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Sent_given_up_and_queued_notifications_are_exported_as_metrics_per_channel()
    {
        var counts = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Riposte" && instrument.Name.StartsWith("riposte_notifications_", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "channel" && (string?)tag.Value == "metered")
                {
                    counts.AddOrUpdate(instrument.Name, value, (_, n) => n + value);
                }
            }
        });
        listener.Start();

        using var receiver = new HttpReceiver { Answer = n => n <= 2 ? 503 : 200 };
        var time = new FakeTimeProvider();
        await using var audit = await Audit.OpenAsync(time);
        var (service, run, stop) = audit.Deliver(Audit.Webhook(receiver.Url) with
        {
            Name = "metered",
            Retry = new NotificationRetry { MaxAttempts = 2, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(1) },
        });
        await using (service)
        {
            await audit.AddAsync("add", key: "192.0.2.1");
            await Poll.UntilAsync(() => service.Stats["metered"].GivenUp == 1, "giving up", time);
            await audit.AddAsync("add", key: "192.0.2.2");
            await Poll.UntilAsync(() => receiver.Accepted.Count == 1, "the next event", time);
            await stop.CancelAsync();
            await run;
        }

        counts.GetValueOrDefault("riposte_notifications_failed_total").ShouldBe(1);
        counts.GetValueOrDefault("riposte_notifications_sent_total").ShouldBe(1);
        counts.GetValueOrDefault("riposte_notifications_queued").ShouldBe(0, "nothing is held once both events are dealt with");
    }

    [Fact]
    public async Task A_message_given_up_on_is_counted_recorded_and_the_channel_moves_on()
    {
        using var receiver = new HttpReceiver { Answer = n => n <= 2 ? 503 : 200 };
        var time = new FakeTimeProvider();
        await using var audit = await Audit.OpenAsync(time);
        var (service, run, stop) = audit.Deliver(Audit.Webhook(receiver.Url) with
        {
            Retry = new NotificationRetry { MaxAttempts = 2, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(1) },
        });
        await using (service)
        {
            long lost = await audit.AddAsync("add", key: "192.0.2.1");
            await Poll.UntilAsync(() => service.Stats["hook"].GivenUp == 1, "giving up", time);
            await audit.AddAsync("add", key: "192.0.2.2");
            await Poll.UntilAsync(() => receiver.Accepted.Count == 1, "the next event", time);
            await stop.CancelAsync();
            await run;
            (await audit.Store.GetCheckpointAsync("notify-failed:hook", TestContext.Current.CancellationToken))!.Offset.ShouldBe(lost);
        }

        ((string)receiver.Accepted.Single()["keys"]![0]!).ShouldBe("192.0.2.2");
    }

    [Fact]
    public async Task Events_not_yet_delivered_survive_a_restart_of_delivery()
    {
        int port = HttpReceiver.FreePort();
        await using var audit = await Audit.OpenAsync(TimeProvider.System);
        var target = Audit.Webhook(new Uri($"http://127.0.0.1:{port}/hook")) with
        {
            Retry = new NotificationRetry { MaxAttempts = 100, BaseDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(200) },
        };

        // The receiver is down: nothing is delivered, so the checkpoint stays before the first event.
        var (down, downRun, downStop) = audit.Deliver(target);
        await using (down)
        {
            for (int i = 1; i <= 5; i++)
            {
                await audit.AddAsync("add", key: $"192.0.2.{i}");
            }

            await Poll.UntilAsync(() => down.Stats["hook"].FailedAttempts >= 2, "failed attempts");
            await downStop.CancelAsync();
            await downRun;
            down.Stats["hook"].Sent.ShouldBe(0);
        }

        using var receiver = new HttpReceiver(port);
        var (up, upRun, upStop) = audit.Deliver(target);
        await using (up)
        {
            await Poll.UntilAsync(() => receiver.Accepted.Count >= 5, "every event after the restart");
            await upStop.CancelAsync();
            await upRun;
        }

        receiver.Accepted.Select(b => (string)b["keys"]![0]!).ShouldBe(["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"]);
    }

    [Fact]
    public async Task Filters_pick_events_by_kind_response_rule_agent_and_severity()
    {
        using var receiver = new HttpReceiver();
        await using var audit = await Audit.OpenAsync(TimeProvider.System);
        var (service, run, stop) = audit.Deliver(Audit.Webhook(receiver.Url) with
        {
            Events = NotificationEvents.Add | NotificationEvents.Failure | NotificationEvents.Timeout,
            Responses = ["firewall-drop600"],
            Rules = ["5712"],
            Agents = ["local"],
            MinSeverity = 0,
        });
        await using (service)
        {
            await audit.AddAsync("delete");
            await audit.AddAsync("add", response: "host-deny600");
            await audit.AddAsync("add", rule: "5763");
            await audit.AddAsync("add", key: "192.0.2.9");
            long last = await audit.AddAsync("failure", detail: "exit 1");
            await Poll.UntilAsync(() => service.Stats["hook"].Position >= last && receiver.Accepted.Count >= 2, "the filtered events");
            await stop.CancelAsync();
            await run;
        }

        receiver.Accepted.Select(b => (string)b["event"]! + " " + (string)b["keys"]![0]!).ShouldBe(["add 192.0.2.9", "failure 203.0.113.7"]);
    }
}

public sealed class NotifyRoutingTests
{
    [Fact]
    public async Task A_channel_a_notify_list_names_hears_only_the_responses_whose_policy_names_it()
    {
        using var routed = new HttpReceiver();
        using var open = new HttpReceiver();
        var settings = new RiposteSettings
        {
            Defaults = ResponsePolicy.Default with { Notify = ["routed"] },
            Responses = new Dictionary<string, ResponsePolicyOverride> { ["host-deny600"] = new() { Notify = [] } }.AsReadOnly(),
        };
        await using var audit = await Audit.OpenAsync(TimeProvider.System);
        var (service, run, stop) = audit.Deliver(
            new DeliveryOptions(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100), StartFromBeginning: true, Routing: new Filtering.NotifyRouting(settings)),
            Audit.Webhook(routed.Url) with { Name = "routed" }, Audit.Webhook(open.Url) with { Name = "open" });
        await using (service)
        {
            await audit.AddAsync("add", key: "192.0.2.1", response: "host-deny600");
            long last = await audit.AddAsync("add", key: "192.0.2.2", response: "firewall-drop600");
            await Poll.UntilAsync(() => service.Stats["routed"].Position >= last && open.Accepted.Count >= 2, "both channels");
            await stop.CancelAsync();
            await run;
        }

        routed.Accepted.Select(b => (string)b["keys"]![0]!).ShouldBe(["192.0.2.2"]);
        open.Accepted.Select(b => (string)b["keys"]![0]!).ShouldBe(["192.0.2.1", "192.0.2.2"]);
    }
}
