using Microsoft.Extensions.Time.Testing;
using Riposte.State;
using Shouldly;

namespace Riposte.Events;

public sealed class ResponseEventFeedTests
{
    private static readonly DateTimeOffset T0 = new(2025, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private static AuditRecord Audit(string @event, string? detail = null, string? rkey = "firewall-drop-1.2.3.4") =>
        new(0, T0, @event, rkey, "active-response/bin/firewall-drop", "firewall-drop600", "1700000000.1", rkey is null ? [] : ["1.2.3.4"], 0, 12, null, null,
            detail, "file:alerts.json", "5712", 10);

    [Fact]
    public async Task Reads_the_trail_after_a_position_oldest_first_with_every_field()
    {
        using var dir = new TempStateDirectory();
        await using var store = await dir.OpenAsync();
        using var feed = new ResponseEventFeed(store, dir.Time);
        var first = await store.AppendAuditAsync(Audit(AuditEvents.Continue), _ct);
        var second = await store.AppendAuditAsync(Audit(AuditEvents.Add, "added to the timeout list for 600s"), _ct);

        var events = await feed.ReadAfterAsync(0, cancellationToken: _ct);

        events.Select(e => e.Id).ShouldBe([first, second]);
        var add = events[1];
        add.ShouldBe(new ResponseEvent(second, T0, "add", "info", null, "firewall-drop600", "firewall-drop-1.2.3.4", add.Keys,
            "active-response/bin/firewall-drop", "1700000000.1", "5712", 10, 0, 12, "added to the timeout list for 600s", "file:alerts.json"));
        add.Keys.ShouldBe(["1.2.3.4"]);
        (await feed.ReadAfterAsync(first, cancellationToken: _ct)).Select(e => e.Id).ShouldBe([second]);
        (await feed.LatestIdAsync(_ct)).ShouldBe(second);
    }

    [Theory]
    [InlineData("skip", "refused to run firewall-drop600: 10.0.0.1 is allow-listed", "refused", "warning")]
    [InlineData("skip", "not applied: firewall-drop600 reached its cap of 10 new blocks per minute", "rate-limited", "warning")]
    [InlineData("skip", "Active response command not present for 'x': not using it on this system", "skip", "info")]
    [InlineData("failure", "exited with code 1", "failure", "error")]
    [InlineData("kill", "killed after 60s", "kill", "error")]
    [InlineData("lapsed", null, "lapsed", "warning")]
    [InlineData("expired", null, "expired", "warning")]
    [InlineData("abort", "already active", "abort", "info")]
    [InlineData("delete", null, "delete", "info")]
    public void Skips_are_told_apart_and_each_kind_has_a_severity(string audit, string? detail, string kind, string severity)
    {
        var e = ResponseEventMapper.FromAudit(Audit(audit, detail) with { Id = 7 }, agent: "003");

        e.Event.ShouldBe(kind);
        e.Severity.ShouldBe(severity);
        e.Agent.ShouldBe("003");
        ResponseEventKinds.All.ShouldContain(kind);
    }

    [Fact]
    public async Task Follow_yields_the_backlog_then_each_new_event_when_its_commit_lands()
    {
        using var dir = new TempStateDirectory();
        await using var store = await dir.OpenAsync();
        // A poll that never fires on its own: only the store's commit notice can wake the feed.
        using var feed = new ResponseEventFeed(store, dir.Time, poll: TimeSpan.FromDays(1));
        var backlog = await store.AppendAuditAsync(Audit(AuditEvents.Add), _ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        await using var follow = feed.FollowAsync(0, stop.Token).GetAsyncEnumerator(stop.Token);

        (await follow.MoveNextAsync()).ShouldBeTrue();
        follow.Current.Id.ShouldBe(backlog);
        var next = follow.MoveNextAsync().AsTask();
        await Task.Delay(50, _ct);
        next.IsCompleted.ShouldBeFalse();
        var live = await store.AppendAuditAsync(Audit(AuditEvents.Delete), _ct);

        (await next.WaitAsync(TimeSpan.FromSeconds(30), _ct)).ShouldBeTrue();
        follow.Current.Id.ShouldBe(live);
        follow.Current.Event.ShouldBe("delete");

        var ended = follow.MoveNextAsync().AsTask();
        await stop.CancelAsync();
        (await ended.WaitAsync(TimeSpan.FromSeconds(30), _ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_read_only_store_in_another_process_sees_the_writer_rows_at_its_poll()
    {
        using var dir = new TempStateDirectory();
        await using var writer = await dir.OpenAsync();
        await writer.AppendAuditAsync(Audit(AuditEvents.Add), _ct);
        var time = new FakeTimeProvider(T0);
        await using var reader = await SqliteStateStore.OpenReadOnlyAsync(dir.DatabasePath, time, _ct);
        using var feed = new ResponseEventFeed(reader, time, poll: TimeSpan.FromSeconds(1));
        await using var follow = feed.FollowAsync(await feed.LatestIdAsync(_ct), _ct).GetAsyncEnumerator(_ct);

        var next = follow.MoveNextAsync().AsTask();
        var written = await writer.AppendAuditAsync(Audit(AuditEvents.Failure, "exited with code 2"), _ct);
        await Task.Delay(50, _ct);
        next.IsCompleted.ShouldBeFalse("the reader hears no commit notice from another store; only its poll finds the row");
        while (!next.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(next, Task.Delay(20, _ct));
        }

        (await next).ShouldBeTrue();
        follow.Current.Id.ShouldBe(written);
        follow.Current.Severity.ShouldBe("error");
    }
}
