using System.Text;
using static Riposte.State.StateSamples;

namespace Riposte.State;

public sealed class SqliteStateStoreTests : IDisposable
{
    private readonly TempStateDirectory _dir = new();
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Timeout_entries_round_trip_byte_exact()
    {
        var nonAscii = Encoding.UTF8.GetBytes("{\"command\":\"delete\",\"user\":\"jürgen\",\"msg\":\"漢字 🙂 \\u0000\"}")
            .Concat(new byte[] { 0xFF, 0x00, 0xC3, 0x28, 0x0A, 0x0D }).ToArray();
        var big = new byte[64 * 1024];
        new Random(42).NextBytes(big);
        var entries = new[]
        {
            Entry("10.0.0.1"),
            new TimeoutEntry("disable-account-jürgen", "active-response/bin/disable-account", nonAscii, T0.AddMinutes(1), 1800, "disable-account1800", null, ["jürgen"], EntryStatus.Pending, 3),
            new TimeoutEntry("custom-big-a-b", "active-response/bin/custom", big, T0.AddMinutes(2), -5, "custom60", "1.2", ["a", "b", "c \"quoted\" \\ back"], EntryStatus.Deleting, 2),
            new TimeoutEntry("route-null", "active-response/bin/route-null", [], T0, 0, "route-null0", "", [], EntryStatus.Active, 1),
        };

        await using var store = await _dir.OpenAsync();
        foreach (var entry in entries)
        {
            await store.UpsertTimeoutAsync(entry, _ct);
        }

        foreach (var entry in entries)
        {
            (await store.GetTimeoutAsync(entry.RKey, _ct))!.ShouldMatch(entry);
        }

        (await store.GetTimeoutAsync("firewall-drop-10.0.0.9", _ct)).ShouldBeNull();
        (await store.CountTimeoutsAsync(_ct)).ShouldBe(4);
    }

    [Fact]
    public async Task Times_are_stored_as_utc_milliseconds()
    {
        var local = new DateTimeOffset(2025, 11, 27, 12, 0, 0, 123, TimeSpan.FromHours(2)).AddTicks(4567);
        await using var store = await _dir.OpenAsync();
        await store.UpsertTimeoutAsync(Entry("10.0.0.1", addedAt: local), _ct);

        var stored = (await store.GetTimeoutAsync("firewall-drop-10.0.0.1", _ct))!;

        stored.AddedAt.Offset.ShouldBe(TimeSpan.Zero);
        stored.AddedAt.ShouldBe(new DateTimeOffset(2025, 11, 27, 10, 0, 0, 123, TimeSpan.Zero));
        _dir.Scalar("SELECT added_at FROM timeouts").ShouldBe(local.ToUnixTimeMilliseconds());
        _dir.Scalar("SELECT expires_at FROM timeouts").ShouldBe(local.ToUnixTimeMilliseconds() + 600_000);
    }

    [Fact]
    public async Task List_is_ordered_by_expiry_then_rkey()
    {
        await using var store = await _dir.OpenAsync();
        await store.UpsertTimeoutAsync(Entry("10.0.0.1", addedAt: T0, duration: 600), _ct);
        await store.UpsertTimeoutAsync(Entry("10.0.0.2", addedAt: T0.AddSeconds(100), duration: 60), _ct);
        await store.UpsertTimeoutAsync(Entry("10.0.0.3", addedAt: T0.AddSeconds(-600), duration: 1200), _ct);
        await store.UpsertTimeoutAsync(Entry("10.0.0.0", addedAt: T0, duration: 600), _ct);
        await store.UpsertTimeoutAsync(Entry("10.0.0.4", addedAt: T0, duration: -1), _ct);

        var list = await store.ListTimeoutsAsync(_ct);

        list.Select(e => e.Keys[0]).ShouldBe(["10.0.0.4", "10.0.0.2", "10.0.0.0", "10.0.0.1", "10.0.0.3"]);
    }

    [Fact]
    public async Task Upsert_replaces_every_field_and_the_key_index()
    {
        await using var store = await _dir.OpenAsync();
        await store.UpsertTimeoutAsync(Entry("10.0.0.1") with { Keys = ["10.0.0.1", "old"] }, _ct);
        var replacement = Entry("10.0.0.1", addedAt: T0.AddHours(1), duration: 60, status: EntryStatus.Deleting, offense: 4) with
        {
            Program = "active-response/bin/other",
            DeleteMessage = [1, 2, 3],
            ArName = "other60",
            AlertId = null,
            Keys = ["10.0.0.1", "new", "new"],
        };

        await store.UpsertTimeoutAsync(replacement, _ct);

        (await store.GetTimeoutAsync(replacement.RKey, _ct))!.ShouldMatch(replacement);
        (await store.FindTimeoutsByKeyAsync("old", _ct)).ShouldBeEmpty();
        (await store.FindTimeoutsByKeyAsync("new", _ct)).Single().RKey.ShouldBe(replacement.RKey);
        (await store.CountTimeoutsAsync(_ct)).ShouldBe(1);
    }

    [Fact]
    public async Task Refresh_moves_the_timer_and_keeps_the_first_delete_message()
    {
        await using var store = await _dir.OpenAsync();
        var first = Entry("10.0.0.1");
        await store.UpsertTimeoutAsync(first, _ct);

        (await store.RefreshTimeoutAsync(first.RKey, T0.AddMinutes(5), 60, 2, _ct)).ShouldBeTrue();
        (await store.RefreshTimeoutAsync("firewall-drop-10.9.9.9", T0, 60, 2, _ct)).ShouldBeFalse();

        var refreshed = (await store.GetTimeoutAsync(first.RKey, _ct))!;
        refreshed.ShouldMatch(first with { AddedAt = T0.AddMinutes(5), DurationSeconds = 60, Offense = 2 });
        refreshed.ExpiresAt.ShouldBe(T0.AddMinutes(6));
        (await store.CountTimeoutsAsync(_ct)).ShouldBe(1);
    }

    [Fact]
    public async Task Status_changes_and_removal()
    {
        await using var store = await _dir.OpenAsync();
        await store.UpsertTimeoutAsync(Entry("10.0.0.1", status: EntryStatus.Pending), _ct);

        (await store.SetStatusAsync("firewall-drop-10.0.0.1", EntryStatus.Active, _ct)).ShouldBeTrue();
        (await store.GetTimeoutAsync("firewall-drop-10.0.0.1", _ct))!.Status.ShouldBe(EntryStatus.Active);
        (await store.SetStatusAsync("firewall-drop-10.0.0.1", EntryStatus.Deleting, _ct)).ShouldBeTrue();
        (await store.GetTimeoutAsync("firewall-drop-10.0.0.1", _ct))!.Status.ShouldBe(EntryStatus.Deleting);
        (await store.SetStatusAsync("missing", EntryStatus.Active, _ct)).ShouldBeFalse();

        (await store.RemoveTimeoutAsync("firewall-drop-10.0.0.1", _ct)).ShouldBeTrue();
        (await store.RemoveTimeoutAsync("firewall-drop-10.0.0.1", _ct)).ShouldBeFalse();
        (await store.GetTimeoutAsync("firewall-drop-10.0.0.1", _ct)).ShouldBeNull();
        (await store.FindTimeoutsByKeyAsync("10.0.0.1", _ct)).ShouldBeEmpty();
        (await store.CountTimeoutsAsync(_ct)).ShouldBe(0);
        _dir.Scalar("SELECT count(*) FROM timeout_keys").ShouldBe(0L);
    }

    [Fact]
    public async Task Find_by_key_matches_the_rkey_or_a_whole_key()
    {
        await using var store = await _dir.OpenAsync();
        await store.UpsertTimeoutAsync(Entry("1.2.3.4", duration: 60), _ct);
        await store.UpsertTimeoutAsync(Entry("1.2.3.40"), _ct);
        await store.UpsertTimeoutAsync(Entry("1.2.3.4", duration: 30) with { RKey = "host-deny-1.2.3.4", Program = "active-response/bin/host-deny" }, _ct);
        await store.UpsertTimeoutAsync(new TimeoutEntry("firewall-drop", "active-response/bin/firewall-drop", [], T0, 600, "firewall-drop600", null, [], EntryStatus.Active, 1), _ct);

        (await store.FindTimeoutsByKeyAsync("1.2.3.4", _ct)).Select(e => e.RKey).ShouldBe(["host-deny-1.2.3.4", "firewall-drop-1.2.3.4"]);
        (await store.FindTimeoutsByKeyAsync("firewall-drop-1.2.3.40", _ct)).Single().Keys.ShouldBe(["1.2.3.40"]);
        (await store.FindTimeoutsByKeyAsync("firewall-drop", _ct)).Single().Keys.ShouldBeEmpty();
        (await store.FindTimeoutsByKeyAsync("1.2.3", _ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Offender_counters_round_trip_and_are_forgiven_after_a_quiet_period()
    {
        await using var store = await _dir.OpenAsync();
        await store.SetOffenderAsync(new OffenderCounter("firewall-drop-10.0.0.1", 0, T0), _ct);
        await store.SetOffenderAsync(new OffenderCounter("firewall-drop-10.0.0.2", 2, T0.AddHours(1)), _ct);
        await store.SetOffenderAsync(new OffenderCounter("firewall-drop-10.0.0.3", 4, T0.AddHours(2)), _ct);
        await store.SetOffenderAsync(new OffenderCounter("firewall-drop-10.0.0.1", 1, T0.AddMinutes(30)), _ct);

        (await store.GetOffenderAsync("firewall-drop-10.0.0.1", _ct)).ShouldBe(new OffenderCounter("firewall-drop-10.0.0.1", 1, T0.AddMinutes(30)));
        (await store.GetOffenderAsync("nobody", _ct)).ShouldBeNull();

        (await store.ForgiveOffendersAsync(T0.AddHours(1), _ct)).ShouldBe(1);
        (await store.GetOffenderAsync("firewall-drop-10.0.0.1", _ct)).ShouldBeNull();
        (await store.GetOffenderAsync("firewall-drop-10.0.0.2", _ct))!.Count.ShouldBe(2);
        (await store.ForgiveOffendersAsync(T0.AddHours(1), _ct)).ShouldBe(0);

        (await store.RemoveOffenderAsync("firewall-drop-10.0.0.3", _ct)).ShouldBeTrue();
        (await store.RemoveOffenderAsync("firewall-drop-10.0.0.3", _ct)).ShouldBeFalse();
        (await store.GetOffenderAsync("firewall-drop-10.0.0.2", _ct)).ShouldNotBeNull();
    }

    [Fact]
    public async Task Audit_records_round_trip_with_ids_from_the_database()
    {
        var full = new AuditRecord(999, T0.AddSeconds(1), AuditEvents.Add, "firewall-drop-10.0.0.1", "active-response/bin/firewall-drop", "firewall-drop600",
            "1764238317.108876", ["10.0.0.1", "jürgen"], 255, 1234, "stdout ✓\nline2", "stderr \u0001", "detail", "file:/var/ossec/logs/alerts/alerts.json");
        var sparse = new AuditRecord(0, T0.AddSeconds(2), AuditEvents.Failure, null, "active-response/bin/x", null, null, [], null, 0, null, null, null, null);

        await using var store = await _dir.OpenAsync();
        var id1 = await store.AppendAuditAsync(full, _ct);
        var id2 = await store.AppendAuditAsync(sparse, _ct);

        id2.ShouldBeGreaterThan(id1);
        var records = await store.QueryAuditAsync(new AuditQuery(), _ct);
        records.Count.ShouldBe(2);
        records[0].ShouldMatch(sparse, id2);
        records[1].ShouldMatch(full, id1);
    }

    [Fact]
    public async Task Audit_query_filters_and_orders_newest_first()
    {
        await using var store = await _dir.OpenAsync();
        var ids = new List<long>
        {
            await store.AppendAuditAsync(Audit(AuditEvents.Add, "firewall-drop-1.2.3.4", ["1.2.3.4"], T0), _ct),
            await store.AppendAuditAsync(Audit(AuditEvents.Continue, "firewall-drop-1.2.3.4", ["1.2.3.4"], T0.AddSeconds(1)), _ct),
            await store.AppendAuditAsync(Audit(AuditEvents.Add, "firewall-drop-1.2.3.40", ["1.2.3.40"], T0.AddSeconds(2)), _ct),
            await store.AppendAuditAsync(Audit(AuditEvents.Skip, null, ["1.2.3.4"], T0.AddSeconds(3)), _ct),
            await store.AppendAuditAsync(Audit(AuditEvents.Delete, "firewall-drop-1.2.3.4", ["1.2.3.4"], T0.AddSeconds(4)), _ct),
            await store.AppendAuditAsync(Audit(AuditEvents.Add, "disable-account-root", ["root"], T0.AddSeconds(4)), _ct),
            // Appended later with an earlier time (clock stepped back): time decides what "newest" means.
            await store.AppendAuditAsync(Audit(AuditEvents.Trigger, "firewall-drop-5.6.7.8", ["5.6.7.8"], T0.AddSeconds(-10)), _ct),
        };

        async Task<long[]> Query(AuditQuery q) => [.. (await store.QueryAuditAsync(q, _ct)).Select(r => r.Id)];

        (await Query(new AuditQuery())).ShouldBe([ids[5], ids[4], ids[3], ids[2], ids[1], ids[0], ids[6]]);
        (await Query(new AuditQuery(Limit: 2))).ShouldBe([ids[5], ids[4]]);
        (await Query(new AuditQuery(Since: T0.AddSeconds(2)))).ShouldBe([ids[5], ids[4], ids[3], ids[2]]);
        (await Query(new AuditQuery(Event: AuditEvents.Add))).ShouldBe([ids[5], ids[2], ids[0]]);
        // Exact rkey, an exact key (record 3 has no rkey), and rkey substrings (1.2.3.40 contains 1.2.3.4).
        (await Query(new AuditQuery(Key: "1.2.3.4"))).ShouldBe([ids[4], ids[3], ids[2], ids[1], ids[0]]);
        (await Query(new AuditQuery(Key: "firewall-drop-1.2.3.40"))).ShouldBe([ids[2]]);
        (await Query(new AuditQuery(Key: "root"))).ShouldBe([ids[5]]);
        (await Query(new AuditQuery(Key: "drop-5.6"))).ShouldBe([ids[6]]);
        (await Query(new AuditQuery(Key: "nothing"))).ShouldBeEmpty();
        (await Query(new AuditQuery(Key: ""))).Length.ShouldBe(7);
        (await Query(new AuditQuery(Since: T0.AddSeconds(1), Key: "1.2.3.4", Event: AuditEvents.Add))).ShouldBe([ids[2]]);
        (await Query(new AuditQuery(Since: T0, Key: "1.2.3.4", Event: AuditEvents.Continue, Limit: 1))).ShouldBe([ids[1]]);
        await Should.ThrowAsync<ArgumentOutOfRangeException>(async () => await store.QueryAuditAsync(new AuditQuery(Limit: 0), _ct));
    }

    [Fact]
    public async Task Audit_pruning_keeps_ids_increasing()
    {
        await using var store = await _dir.OpenAsync();
        await store.AppendAuditAsync(Audit(AuditEvents.Add, at: T0), _ct);
        var last = await store.AppendAuditAsync(Audit(AuditEvents.Add, at: T0.AddDays(1)), _ct);

        (await store.PruneAuditAsync(T0.AddDays(1), _ct)).ShouldBe(1);
        await store.PruneAuditAsync(T0.AddDays(2), _ct);
        var next = await store.AppendAuditAsync(Audit(AuditEvents.Add, at: T0.AddDays(3)), _ct);

        next.ShouldBeGreaterThan(last);
        (await store.QueryAuditAsync(new AuditQuery(), _ct)).Select(r => r.Id).ShouldBe([next]);
    }

    [Fact]
    public async Task Checkpoints_round_trip_per_source()
    {
        await using var store = await _dir.OpenAsync();
        (await store.GetCheckpointAsync("file:/var/ossec/logs/alerts/alerts.json", _ct)).ShouldBeNull();

        await store.SetCheckpointAsync(new SourceCheckpoint("file:/var/ossec/logs/alerts/alerts.json", "2049:131073", 4096), _ct);
        await store.SetCheckpointAsync(new SourceCheckpoint("stdin", "0:0", 10), _ct);
        await store.SetCheckpointAsync(new SourceCheckpoint("file:/var/ossec/logs/alerts/alerts.json", "2049:131099", long.MaxValue), _ct);

        (await store.GetCheckpointAsync("file:/var/ossec/logs/alerts/alerts.json", _ct))
            .ShouldBe(new SourceCheckpoint("file:/var/ossec/logs/alerts/alerts.json", "2049:131099", long.MaxValue));
        (await store.GetCheckpointAsync("stdin", _ct)).ShouldBe(new SourceCheckpoint("stdin", "0:0", 10));
    }

    [Fact]
    public async Task Decisions_are_recorded_once_until_pruned()
    {
        await using var store = await _dir.OpenAsync();

        (await store.TryRecordDecisionAsync("1764238317.108876|firewall-drop600|server", T0, _ct)).ShouldBeTrue();
        (await store.TryRecordDecisionAsync("1764238317.108876|firewall-drop600|server", T0.AddMinutes(1), _ct)).ShouldBeFalse();
        (await store.TryRecordDecisionAsync("1764238317.108876|firewall-drop600|001", T0.AddHours(2), _ct)).ShouldBeTrue();

        (await store.PruneDecisionsAsync(T0.AddHours(1), _ct)).ShouldBe(1);
        (await store.TryRecordDecisionAsync("1764238317.108876|firewall-drop600|server", T0.AddHours(3), _ct)).ShouldBeTrue();
        (await store.TryRecordDecisionAsync("1764238317.108876|firewall-drop600|001", T0.AddHours(3), _ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task Add_intent_writes_a_pending_entry_the_counter_and_the_audit_together()
    {
        await using var store = await _dir.OpenAsync();
        var entry = Entry("10.0.0.1", status: EntryStatus.Active, offense: 2);

        var id = await store.RecordAddIntentAsync(entry, new OffenderCounter(entry.RKey, 1, T0), Audit(AuditEvents.Add, entry.RKey, entry.Keys), _ct);

        (await store.GetTimeoutAsync(entry.RKey, _ct))!.ShouldMatch(entry with { Status = EntryStatus.Pending });
        (await store.GetOffenderAsync(entry.RKey, _ct)).ShouldBe(new OffenderCounter(entry.RKey, 1, T0));
        (await store.QueryAuditAsync(new AuditQuery(), _ct)).Single().Id.ShouldBe(id);

        await store.RecordAddIntentAsync(Entry("10.0.0.2"), null, Audit(AuditEvents.Add), _ct);
        (await store.GetOffenderAsync("firewall-drop-10.0.0.2", _ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Abort_refreshes_the_entry_with_its_counter_and_audit_or_writes_nothing()
    {
        await using var store = await _dir.OpenAsync();
        var entry = Entry("10.0.0.1");
        await store.UpsertTimeoutAsync(entry, _ct);

        var id = await store.RecordAbortAsync(entry.RKey, T0.AddMinutes(3), 300, 2, new OffenderCounter(entry.RKey, 1, T0.AddMinutes(3)), Audit(AuditEvents.Abort), _ct);
        var missing = await store.RecordAbortAsync("firewall-drop-10.0.0.2", T0, 300, 2, new OffenderCounter("firewall-drop-10.0.0.2", 1, T0), Audit(AuditEvents.Abort), _ct);

        id.ShouldNotBeNull();
        missing.ShouldBeNull();
        (await store.GetTimeoutAsync(entry.RKey, _ct))!.ShouldMatch(entry with { AddedAt = T0.AddMinutes(3), DurationSeconds = 300, Offense = 2 });
        (await store.GetOffenderAsync(entry.RKey, _ct))!.Count.ShouldBe(1);
        (await store.GetOffenderAsync("firewall-drop-10.0.0.2", _ct)).ShouldBeNull();
        (await store.QueryAuditAsync(new AuditQuery(), _ct)).Select(r => r.Id).ShouldBe([id!.Value]);
    }

    [Fact]
    public async Task Status_with_audit_and_complete_delete()
    {
        await using var store = await _dir.OpenAsync();
        var entry = Entry("10.0.0.1");
        await store.RecordAddIntentAsync(entry, null, Audit(AuditEvents.Add), _ct);

        await store.RecordStatusAsync(entry.RKey, EntryStatus.Active, Audit(AuditEvents.Continue), _ct);
        (await store.GetTimeoutAsync(entry.RKey, _ct))!.Status.ShouldBe(EntryStatus.Active);

        var id = await store.CompleteDeleteAsync(entry.RKey, Audit(AuditEvents.Delete, entry.RKey), _ct);
        (await store.GetTimeoutAsync(entry.RKey, _ct)).ShouldBeNull();
        (await store.FindTimeoutsByKeyAsync("10.0.0.1", _ct)).ShouldBeEmpty();
        var audit = await store.QueryAuditAsync(new AuditQuery(), _ct);
        audit.Select(r => r.Event).ShouldBe([AuditEvents.Delete, AuditEvents.Continue, AuditEvents.Add]);
        audit[0].Id.ShouldBe(id);
    }

    [Fact]
    public async Task Bulk_upsert_is_all_or_nothing()
    {
        await using var store = await _dir.OpenAsync();
        await store.UpsertTimeoutsAsync([Entry("10.0.0.1"), Entry("10.0.0.2"), Entry("10.0.0.1") with { DurationSeconds = 5 }], _ct);

        (await store.CountTimeoutsAsync(_ct)).ShouldBe(2);
        (await store.GetTimeoutAsync("firewall-drop-10.0.0.1", _ct))!.DurationSeconds.ShouldBe(5);

        await Should.ThrowAsync<ArgumentNullException>(async () => await store.UpsertTimeoutsAsync([Entry("10.0.0.3"), Entry("10.0.0.4") with { Program = null! }], _ct));
        (await store.CountTimeoutsAsync(_ct)).ShouldBe(2);
    }

    [Fact]
    public async Task Null_keys_are_rejected()
    {
        await using var store = await _dir.OpenAsync();

        await Should.ThrowAsync<ArgumentException>(async () => await store.UpsertTimeoutAsync(Entry("10.0.0.1") with { Keys = ["a", null!] }, _ct));

        (await store.CountTimeoutsAsync(_ct)).ShouldBe(0);
    }

    [Fact]
    public async Task Cancelled_calls_do_nothing()
    {
        await using var store = await _dir.OpenAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(async () => await store.UpsertTimeoutAsync(Entry("10.0.0.1"), cts.Token));
        await Should.ThrowAsync<OperationCanceledException>(async () => await store.ListTimeoutsAsync(cts.Token));

        (await store.CountTimeoutsAsync(_ct)).ShouldBe(0);
    }

    [Fact]
    public async Task Calls_after_dispose_throw_ObjectDisposedException()
    {
        var store = await _dir.OpenAsync();
        await store.DisposeAsync();
        await store.DisposeAsync();

        await Should.ThrowAsync<ObjectDisposedException>(async () => await store.UpsertTimeoutAsync(Entry("10.0.0.1"), _ct));
        await Should.ThrowAsync<ObjectDisposedException>(async () => await store.CountTimeoutsAsync(_ct));
    }
}
