using Microsoft.Extensions.Time.Testing;
using Riposte.Events;
using Riposte.Fleet.Messages;
using Riposte.State;

namespace Riposte.Fleet.View;

public sealed class FleetEventSourceTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Directory.CreateTempSubdirectory("riposte-fleet-events-").FullName;
    private readonly FakeTimeProvider _time = new(Start);

    private string DbPath => Path.Combine(_dir, "riposte", "fleet.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Agents_outcomes_and_the_managers_own_fleet_events_read_as_events_attributed_to_their_agent()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        var source = new FleetEventSource(store);
        (await source.LatestIdAsync(Ct)).ShouldBe(0);
        await store.RecordOutcomeAsync(Outcome("003", 1, AuditEvents.Failure, "exited with code 1"), Ct);
        await store.RecordOutcomeAsync(Outcome("004", 1, AuditEvents.Skip, "refused to run firewall-drop600: 10.0.0.1 is allow-listed"), Ct);
        await store.RecordUndeliverableAsync("007", "firewall-drop600", "a9", "agent 007 is not enrolled", Ct);

        var events = await source.ReadAfterAsync(0, 10, Ct);

        events.Select(e => (e.Agent, e.Event, e.Severity)).ShouldBe([
            ("003", "failure", "error"), ("004", "refused", "warning"), ("007", "undeliverable", "error")]);
        events[0].Response.ShouldBe("firewall-drop600");
        events[0].ExitCode.ShouldBe(1);
        (await source.LatestIdAsync(Ct)).ShouldBe(events[2].Id);
        (await source.ReadAfterAsync(events[0].Id, 10, Ct)).Select(e => e.Agent).ShouldBe(["004", "007"]);
    }

    [Fact]
    public async Task A_feed_over_the_fleet_history_wakes_on_each_recorded_outcome()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        // A poll that never fires: only the store's commit notice can wake the feed.
        using var feed = new ResponseEventFeed(new FleetEventSource(store), _time, poll: TimeSpan.FromDays(1));
        feed.SourceName.ShouldBe("fleet");
        await using var follow = feed.FollowAsync(0, Ct).GetAsyncEnumerator(Ct);
        var next = follow.MoveNextAsync().AsTask();
        await Task.Delay(50, Ct);
        next.IsCompleted.ShouldBeFalse();

        await store.RecordOutcomeAsync(Outcome("003", 1, AuditEvents.Kill, "killed after 60s"), Ct);

        (await next.WaitAsync(TimeSpan.FromSeconds(30), Ct)).ShouldBeTrue();
        (follow.Current.Agent, follow.Current.Event).ShouldBe(("003", "kill"));
    }

    [Fact]
    public async Task An_outcome_for_a_command_already_recorded_expired_is_told_as_late_once()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        var source = new FleetEventSource(store);
        await store.RecordSentAsync(new SentCommand("c1", "003", "exec", "firewall-drop600", "a1", "203.0.113.5", Start, Start.AddMinutes(5), "m1"), Ct);
        _time.Advance(TimeSpan.FromMinutes(6));
        (await store.ExpireOverdueAsync(_time.GetUtcNow(), Ct)).ShouldHaveSingleItem();
        _time.Advance(TimeSpan.FromSeconds(30));

        await store.RecordOutcomeAsync(Outcome("003", 1, AuditEvents.Add, "ran") with { Source = "fleet:c1" }, Ct);
        await store.RecordOutcomeAsync(Outcome("003", 2, AuditEvents.Delete, "ran") with { Source = "fleet:c1" }, Ct);

        var events = await source.ReadAfterAsync(0, 10, Ct);
        events.Select(e => e.Event).ShouldBe(["expired", "add", "late", "delete"]);
        var late = events[2];
        (late.Agent, late.Severity, late.Response).ShouldBe(("003", "warning", "firewall-drop600"));
        late.Detail.ShouldBe("the agent answered (add) 30s after the manager had recorded the command expired");
    }

    [Fact]
    public async Task An_outcome_within_the_time_to_live_is_not_late()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        await store.RecordSentAsync(new SentCommand("c1", "003", "exec", "firewall-drop600", "a1", "203.0.113.5", Start, Start.AddMinutes(5), "m1"), Ct);
        await store.RecordOutcomeAsync(Outcome("003", 1, AuditEvents.Add, "ran") with { Source = "fleet:c1" }, Ct);
        _time.Advance(TimeSpan.FromMinutes(6));
        (await store.ExpireOverdueAsync(_time.GetUtcNow(), Ct)).ShouldBeEmpty();

        (await new FleetEventSource(store).ReadAfterAsync(0, 10, Ct)).Select(e => e.Event).ShouldBe(["add"]);
    }

    private static AgentOutcome Outcome(string agent, long seq, string @event, string detail) => new(
        agent, "inst-1", seq, Start.ToUnixTimeMilliseconds(), @event, "firewall-drop-203.0.113.5", "active-response/bin/firewall-drop", "firewall-drop600",
        "a1", ["203.0.113.5"], @event == AuditEvents.Failure ? 1 : null, 5, detail, "fleet:x", null);
}
