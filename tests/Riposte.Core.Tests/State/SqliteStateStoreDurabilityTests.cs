using System.Diagnostics;
using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;
using static Riposte.State.StateSamples;

namespace Riposte.State;

public sealed class SqliteStateStoreDurabilityTests : IDisposable
{
    private const UnixFileMode Mode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly TempStateDirectory _dir = new();
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task Files_are_owner_only_and_created_directories_0700()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        var nested = Path.Combine(_dir.Root, "a", "b");
        var path = Path.Combine(nested, "state.db");

        await using (var store = await SqliteStateStore.OpenAsync(path, _dir.Time, _ct))
        {
            await store.UpsertTimeoutAsync(Entry("10.0.0.1"), _ct);
            await using var reader = await SqliteStateStore.OpenReadOnlyAsync(path, _dir.Time, _ct);
            (await reader.CountTimeoutsAsync(_ct)).ShouldBe(1);

            File.GetUnixFileMode(path).ShouldBe(Mode600);
            File.GetUnixFileMode(path + "-wal").ShouldBe(Mode600);
            File.GetUnixFileMode(path + "-shm").ShouldBe(Mode600);
        }

        File.GetUnixFileMode(nested).ShouldBe(Mode700);
        File.GetUnixFileMode(Path.GetDirectoryName(nested)!).ShouldBe(Mode700);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task Sidecars_get_the_database_mode_whoever_created_them()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        await (await _dir.OpenAsync()).DisposeAsync();
        var everyone = Mode600 | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        File.WriteAllBytes(_dir.DatabasePath + "-wal", []);
        File.SetUnixFileMode(_dir.DatabasePath + "-wal", everyone);

        await using var store = await _dir.OpenAsync();

        File.GetUnixFileMode(_dir.DatabasePath + "-wal").ShouldBe(Mode600);
    }

    [Fact]
    public async Task Database_is_in_wal_mode_with_full_sync_and_schema_version()
    {
        await using var store = await _dir.OpenAsync();

        _dir.Scalar("PRAGMA journal_mode").ShouldBe("wal");
        _dir.Scalar("PRAGMA user_version").ShouldBe((long)SqliteStateStore.SchemaVersion);
        _dir.Scalar("PRAGMA application_id").ShouldBe(0x52505354L);
        SqliteStateStore.SchemaVersion.ShouldBe(2);
        File.Exists(_dir.DatabasePath + "-wal").ShouldBeTrue();
        store.IsReadOnly.ShouldBeFalse();
        store.DatabasePath.ShouldBe(_dir.DatabasePath);
    }

    [Fact]
    public async Task Reopening_keeps_everything()
    {
        var entry = Entry("10.0.0.1", status: EntryStatus.Deleting, offense: 3);
        long auditId;
        await using (var store = await _dir.OpenAsync())
        {
            await store.RecordAddIntentAsync(entry, new OffenderCounter(entry.RKey, 2, T0), Audit(AuditEvents.Add, entry.RKey, entry.Keys), _ct);
            await store.SetStatusAsync(entry.RKey, EntryStatus.Deleting, _ct);
            auditId = await store.AppendAuditAsync(Audit(AuditEvents.Continue, entry.RKey), _ct);
            await store.SetCheckpointAsync(new SourceCheckpoint("stdin", "1:2", 77), _ct);
            (await store.TryRecordDecisionAsync("a|b|c", T0, _ct)).ShouldBeTrue();
        }

        // The last connection out checkpoints the WAL into the database file.
        File.Exists(_dir.DatabasePath + "-wal").ShouldBeFalse();

        await using (var store = await _dir.OpenAsync())
        {
            (await store.ListTimeoutsAsync(_ct)).Single().ShouldMatch(entry);
            (await store.GetOffenderAsync(entry.RKey, _ct)).ShouldBe(new OffenderCounter(entry.RKey, 2, T0));
            (await store.QueryAuditAsync(new AuditQuery(), _ct)).Select(r => r.Id).First().ShouldBe(auditId);
            (await store.GetCheckpointAsync("stdin", _ct)).ShouldBe(new SourceCheckpoint("stdin", "1:2", 77));
            (await store.TryRecordDecisionAsync("a|b|c", T0, _ct)).ShouldBeFalse();
            (await store.AppendAuditAsync(Audit(AuditEvents.Delete), _ct)).ShouldBeGreaterThan(auditId);
        }
    }

    [Fact]
    public async Task Committed_operations_survive_a_crash_of_the_writer()
    {
        // What kill -9 leaves on disk: the database and its WAL as they are while the writer is still open, never
        // checkpointed or closed. The -shm is left behind too: recovery rebuilds it from the WAL.
        await using var store = await _dir.OpenAsync();
        await store.RecordAddIntentAsync(Entry("10.0.0.1"), new OffenderCounter("firewall-drop-10.0.0.1", 1, T0), Audit(AuditEvents.Add), _ct);
        await store.RecordAddIntentAsync(Entry("10.0.0.2"), null, Audit(AuditEvents.Add), _ct);
        await store.SetStatusAsync("firewall-drop-10.0.0.1", EntryStatus.Active, _ct);
        await store.CompleteDeleteAsync("firewall-drop-10.0.0.2", Audit(AuditEvents.Delete), _ct);
        await store.SetCheckpointAsync(new SourceCheckpoint("stdin", "0:0", 123), _ct);
        var crashed = Path.Combine(_dir.Root, "crashed");
        Directory.CreateDirectory(crashed);
        File.Copy(_dir.DatabasePath, Path.Combine(crashed, "state.db"));
        File.Copy(_dir.DatabasePath + "-wal", Path.Combine(crashed, "state.db-wal"));

        await using var recovered = await SqliteStateStore.OpenAsync(Path.Combine(crashed, "state.db"), _dir.Time, _ct);

        (await recovered.ListTimeoutsAsync(_ct)).Single().ShouldMatch(Entry("10.0.0.1"));
        (await recovered.GetOffenderAsync("firewall-drop-10.0.0.1", _ct))!.Count.ShouldBe(1);
        (await recovered.QueryAuditAsync(new AuditQuery(), _ct)).Select(r => r.Event).ShouldBe([AuditEvents.Delete, AuditEvents.Add, AuditEvents.Add]);
        (await recovered.GetCheckpointAsync("stdin", _ct))!.Offset.ShouldBe(123);
    }

    [Fact]
    public async Task A_read_only_reader_sees_commits_while_the_writer_is_open()
    {
        await using var writer = await _dir.OpenAsync();
        await using var reader = await _dir.OpenReadOnlyAsync();
        reader.IsReadOnly.ShouldBeTrue();
        (await reader.CountTimeoutsAsync(_ct)).ShouldBe(0);

        await writer.UpsertTimeoutAsync(Entry("10.0.0.1"), _ct);
        await writer.AppendAuditAsync(Audit(AuditEvents.Add), _ct);
        await writer.SetOffenderAsync(new OffenderCounter("firewall-drop-10.0.0.1", 0, T0), _ct);

        (await reader.ListTimeoutsAsync(_ct)).Single().ShouldMatch(Entry("10.0.0.1"));
        (await reader.FindTimeoutsByKeyAsync("10.0.0.1", _ct)).Count.ShouldBe(1);
        (await reader.QueryAuditAsync(new AuditQuery(), _ct)).Count.ShouldBe(1);
        (await reader.GetOffenderAsync("firewall-drop-10.0.0.1", _ct)).ShouldNotBeNull();

        await Should.ThrowAsync<InvalidOperationException>(async () => await reader.UpsertTimeoutAsync(Entry("10.0.0.2"), _ct));
        await Should.ThrowAsync<InvalidOperationException>(async () => await reader.TryRecordDecisionAsync("x", T0, _ct));
    }

    [Fact]
    public async Task Readers_are_not_blocked_by_another_process_holding_the_write_lock()
    {
        await using var store = await _dir.OpenAsync();
        await store.UpsertTimeoutAsync(Entry("10.0.0.1"), _ct);
        await using var reader = await _dir.OpenReadOnlyAsync();

        using (var other = _dir.Raw(SqliteOpenMode.ReadWrite))
        using (var transaction = other.BeginTransaction(deferred: false))
        {
            using var insert = other.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "DELETE FROM timeouts";
            insert.ExecuteNonQuery();

            var watch = Stopwatch.StartNew();
            (await reader.CountTimeoutsAsync(_ct)).ShouldBe(1);
            (await store.CountTimeoutsAsync(_ct)).ShouldBe(1);
            watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5), "WAL readers must not wait for a writer");

            // A write from this store waits for the other writer instead of failing with "database is locked".
            // On the thread pool: the store blocks its calling thread while SQLite's busy handler waits.
            var write = Task.Run(async () => await store.AppendAuditAsync(Audit(AuditEvents.Add), _ct), _ct);
            await Task.Delay(200, _ct);
            write.IsCompleted.ShouldBeFalse();
            transaction.Rollback();
            (await write).ShouldBeGreaterThan(0);
        }
    }

    [Fact]
    public async Task Thirty_two_concurrent_writers_lose_nothing()
    {
        const int tasks = 32;
        const int perTask = 40;
        const int sharedDecisions = 25;
        // Two stores on one file: the daemon and, say, 'riposte revoke' in another process.
        await using var first = await _dir.OpenAsync();
        await using var second = await _dir.OpenAsync();
        await using var reader = await _dir.OpenReadOnlyAsync();
        var decisionsWon = 0;

        var writers = Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            var store = t % 2 == 0 ? first : second;
            for (var i = 0; i < perTask; i++)
            {
                var ip = $"10.{t}.{i}.1";
                await store.RecordAddIntentAsync(Entry(ip), new OffenderCounter("firewall-drop-" + ip, i, T0), Audit(AuditEvents.Add, "firewall-drop-" + ip, [ip]), _ct);
                await store.SetStatusAsync("firewall-drop-" + ip, EntryStatus.Active, _ct);
                await store.AppendAuditAsync(Audit(AuditEvents.Continue, "firewall-drop-" + ip, [ip]), _ct);
                if (await store.TryRecordDecisionAsync($"alert{i % sharedDecisions}|firewall-drop600|server", T0, _ct))
                {
                    Interlocked.Increment(ref decisionsWon);
                }
            }
        }, _ct));
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await reader.ListTimeoutsAsync(_ct);
                await first.QueryAuditAsync(new AuditQuery(Key: "10.1.1.1"), _ct);
            }
        }, _ct));

        await Task.WhenAll(writers.Concat(readers));

        var all = await first.ListTimeoutsAsync(_ct);
        all.Count.ShouldBe(tasks * perTask);
        all.ShouldAllBe(e => e.Status == EntryStatus.Active);
        all.Select(e => e.RKey).Distinct().Count().ShouldBe(tasks * perTask);
        var audit = await second.QueryAuditAsync(new AuditQuery(Limit: 100_000), _ct);
        audit.Count.ShouldBe(tasks * perTask * 2);
        audit.Select(r => r.Id).Distinct().Count().ShouldBe(audit.Count);
        decisionsWon.ShouldBe(sharedDecisions);
        (await second.GetOffenderAsync("firewall-drop-10.31.39.1", _ct))!.Count.ShouldBe(39);
    }

    [Theory]
    [InlineData("add-intent:entry")]
    [InlineData("add-intent:counter")]
    [InlineData("add-intent:audit")]
    public async Task A_failed_add_intent_leaves_nothing_behind(string failAt)
    {
        await using var store = await _dir.OpenAsync();
        var before = Entry("10.0.0.1", status: EntryStatus.Active) with { Keys = ["10.0.0.1", "old"] };
        await store.UpsertTimeoutAsync(before, _ct);
        await store.SetOffenderAsync(new OffenderCounter(before.RKey, 0, T0), _ct);
        store.FaultHook = point => { if (point == failAt) { throw new IOException("simulated crash at " + point); } };

        var replacement = Entry("10.0.0.1", addedAt: T0.AddHours(1)) with { Keys = ["10.0.0.1", "new"], DeleteMessage = [9] };
        await Should.ThrowAsync<IOException>(async () =>
            await store.RecordAddIntentAsync(replacement, new OffenderCounter(before.RKey, 1, T0.AddHours(1)), Audit(AuditEvents.Add), _ct));
        await Should.ThrowAsync<IOException>(async () =>
            await store.RecordAddIntentAsync(Entry("10.0.0.2"), new OffenderCounter("firewall-drop-10.0.0.2", 0, T0), Audit(AuditEvents.Add), _ct));

        store.FaultHook = null;
        (await store.ListTimeoutsAsync(_ct)).Single().ShouldMatch(before);
        (await store.FindTimeoutsByKeyAsync("old", _ct)).Count.ShouldBe(1);
        (await store.FindTimeoutsByKeyAsync("new", _ct)).ShouldBeEmpty();
        (await store.GetOffenderAsync(before.RKey, _ct))!.Count.ShouldBe(0);
        (await store.GetOffenderAsync("firewall-drop-10.0.0.2", _ct)).ShouldBeNull();
        (await store.QueryAuditAsync(new AuditQuery(), _ct)).ShouldBeEmpty();

        // The store is still usable after the rollback.
        await store.RecordAddIntentAsync(replacement, null, Audit(AuditEvents.Add), _ct);
        (await store.GetTimeoutAsync(replacement.RKey, _ct))!.DeleteMessage.ShouldBe([(byte)9]);
    }

    [Theory]
    [InlineData("delete:entry")]
    [InlineData("delete:audit")]
    public async Task A_failed_delete_keeps_the_entry_and_writes_no_audit(string failAt)
    {
        await using var store = await _dir.OpenAsync();
        var entry = Entry("10.0.0.1", status: EntryStatus.Deleting);
        await store.UpsertTimeoutAsync(entry, _ct);
        store.FaultHook = point => { if (point == failAt) { throw new IOException("simulated crash"); } };

        await Should.ThrowAsync<IOException>(async () => await store.CompleteDeleteAsync(entry.RKey, Audit(AuditEvents.Delete), _ct));

        store.FaultHook = null;
        (await store.GetTimeoutAsync(entry.RKey, _ct))!.ShouldMatch(entry);
        (await store.FindTimeoutsByKeyAsync("10.0.0.1", _ct)).Count.ShouldBe(1);
        (await store.QueryAuditAsync(new AuditQuery(), _ct)).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("abort:entry")]
    [InlineData("abort:counter")]
    [InlineData("status:entry")]
    public async Task Failed_abort_and_status_steps_roll_back(string failAt)
    {
        await using var store = await _dir.OpenAsync();
        var entry = Entry("10.0.0.1", status: EntryStatus.Pending);
        await store.UpsertTimeoutAsync(entry, _ct);
        store.FaultHook = point => { if (point == failAt) { throw new IOException("simulated crash"); } };

        await Should.ThrowAsync<IOException>(async () =>
        {
            if (failAt.StartsWith("abort", StringComparison.Ordinal))
            {
                await store.RecordAbortAsync(entry.RKey, T0.AddHours(1), 60, 2, new OffenderCounter(entry.RKey, 1, T0), Audit(AuditEvents.Abort), _ct);
            }
            else
            {
                await store.RecordStatusAsync(entry.RKey, EntryStatus.Active, Audit(AuditEvents.Continue), _ct);
            }
        });

        store.FaultHook = null;
        (await store.GetTimeoutAsync(entry.RKey, _ct))!.ShouldMatch(entry);
        (await store.GetOffenderAsync(entry.RKey, _ct)).ShouldBeNull();
        (await store.QueryAuditAsync(new AuditQuery(), _ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_version_1_file_gains_the_rule_columns_and_keeps_its_rows()
    {
        await using (var store = await _dir.OpenAsync())
        {
            await store.AppendAuditAsync(new AuditRecord(0, StateSamples.T0, AuditEvents.Add, "r", "p", "ar", "a1", [], 0, 1, null, null, null, "cli"), _ct);
        }

        // What a file written by the first release looks like.
        _dir.Scalar("ALTER TABLE audit DROP COLUMN rule_level; ALTER TABLE audit DROP COLUMN rule_id; PRAGMA user_version = 1", SqliteOpenMode.ReadWrite);
        (await Should.ThrowAsync<StateStoreException>(async () => await _dir.OpenReadOnlyAsync())).Message.ShouldContain("migrate");

        await using (var store = await _dir.OpenAsync())
        {
            await store.AppendAuditAsync(new AuditRecord(0, StateSamples.T0, AuditEvents.Add, "r", "p", "ar", "a2", [], 0, 1, null, null, null, "cli", "5712", 10), _ct);
            var rows = await store.ReadAuditAfterAsync(0, 10, _ct);
            rows.Select(r => (r.AlertId, r.RuleId, r.RuleLevel)).ShouldBe([("a1", null, null), ("a2", "5712", (int?)10)]);
        }

        _dir.Scalar("PRAGMA user_version").ShouldBe(2L);
    }

    [Fact]
    public async Task A_newer_schema_version_is_refused_with_a_clear_message()
    {
        await (await _dir.OpenAsync()).DisposeAsync();
        _dir.Scalar("PRAGMA user_version = 99", SqliteOpenMode.ReadWrite);

        var e = await Should.ThrowAsync<StateStoreException>(async () => await _dir.OpenAsync());
        e.Message.ShouldContain("schema version 99");
        e.Message.ShouldContain("newer Riposte");
        e.Message.ShouldContain(_dir.DatabasePath);
        (await Should.ThrowAsync<StateStoreException>(async () => await _dir.OpenReadOnlyAsync())).Message.ShouldContain("newer Riposte");
        _dir.Scalar("PRAGMA user_version").ShouldBe(99L, "a refused file is left untouched");
    }

    [Fact]
    public async Task Foreign_and_corrupt_files_are_refused()
    {
        using (var foreign = _dir.Raw(SqliteOpenMode.ReadWriteCreate))
        using (var create = foreign.CreateCommand())
        {
            create.CommandText = "CREATE TABLE notes (text TEXT)";
            create.ExecuteNonQuery();
        }

        (await Should.ThrowAsync<StateStoreException>(async () => await _dir.OpenAsync())).Message.ShouldContain("not a Riposte state database");

        var garbage = Path.Combine(_dir.Root, "garbage.db");
        File.WriteAllText(garbage, new string('x', 8192));
        (await Should.ThrowAsync<StateStoreException>(async () => await SqliteStateStore.OpenAsync(garbage, _dir.Time, _ct))).Message.ShouldContain(garbage);
    }

    [Fact]
    public async Task Read_only_open_needs_an_initialised_database()
    {
        (await Should.ThrowAsync<StateStoreException>(async () => await _dir.OpenReadOnlyAsync())).Message.ShouldContain("does not exist");
        File.Exists(_dir.DatabasePath).ShouldBeFalse("a reader never creates the file");

        File.WriteAllBytes(_dir.DatabasePath, []);
        (await Should.ThrowAsync<StateStoreException>(async () => await _dir.OpenReadOnlyAsync())).Message.ShouldContain("not been initialised");

        await (await _dir.OpenAsync()).DisposeAsync();
        await using var reader = await _dir.OpenReadOnlyAsync();
        (await reader.CountTimeoutsAsync(_ct)).ShouldBe(0);
    }
}
