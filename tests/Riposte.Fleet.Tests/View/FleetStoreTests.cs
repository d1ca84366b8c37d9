using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Riposte.Fleet.Messages;
using Riposte.State;

namespace Riposte.Fleet.View;

public sealed class FleetStoreTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Directory.CreateTempSubdirectory("riposte-fleet-view-").FullName;
    private readonly FakeTimeProvider _time = new(Start);

    private string DbPath => Path.Combine(_dir, "riposte", "fleet.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_redelivered_outcome_is_recorded_once()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        var outcome = Outcome("003", 7, AuditEvents.Add, "firewall-drop-203.0.113.5", expiresAt: Start.AddMinutes(10));

        (await store.RecordOutcomeAsync(outcome, Ct)).ShouldBeTrue();
        _time.Advance(TimeSpan.FromMinutes(1));
        (await store.RecordOutcomeAsync(outcome, Ct)).ShouldBeFalse();
        // No change on redelivery: not even last-seen, which stays at the first delivery.
        (await store.ListAgentsAsync(Ct)).ShouldHaveSingleItem().LastSeen.ShouldBe(Start);
        (await store.QueryHistoryAsync(new FleetHistoryQuery(Agent: "003"), Ct)).ShouldHaveSingleItem();

        // The same seq from a recreated agent state (another instance) is another outcome.
        (await store.RecordOutcomeAsync(outcome with { Instance = "inst-2" }, Ct)).ShouldBeTrue();
        (await store.QueryHistoryAsync(new FleetHistoryQuery(Agent: "003"), Ct)).Count.ShouldBe(2);
        (await store.ListAgentsAsync(Ct)).ShouldHaveSingleItem().LastSeen.ShouldBe(Start.AddMinutes(1));
    }

    [Fact]
    public async Task A_redelivered_outcome_does_not_bring_back_a_deleted_response()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        var add = Outcome("003", 1, AuditEvents.Add, "firewall-drop-203.0.113.5", expiresAt: Start.AddMinutes(10));
        await store.RecordOutcomeAsync(add, Ct);
        await store.RecordOutcomeAsync(Outcome("003", 2, AuditEvents.Delete, "firewall-drop-203.0.113.5", source: "timeout"), Ct);

        (await store.RecordOutcomeAsync(add, Ct)).ShouldBeFalse();

        (await store.ListActiveAsync("003", Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Add_abort_and_delete_maintain_each_agents_active_responses()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        await store.RecordOutcomeAsync(Outcome("003", 1, AuditEvents.Add, "firewall-drop-203.0.113.5", expiresAt: Start.AddMinutes(10)), Ct);
        await store.RecordOutcomeAsync(Outcome("004", 1, AuditEvents.Add, "firewall-drop-203.0.113.5", expiresAt: Start.AddMinutes(5)), Ct);
        await store.RecordOutcomeAsync(Outcome("003", 2, AuditEvents.Add, "firewall-drop-198.51.100.9", expiresAt: Start.AddMinutes(3)), Ct);

        var active = await store.ListActiveAsync(null, Ct);
        active.Select(a => (a.Agent, a.RKey)).ShouldBe([
            ("003", "firewall-drop-198.51.100.9"), ("003", "firewall-drop-203.0.113.5"), ("004", "firewall-drop-203.0.113.5")]);
        var first = active[1];
        first.ArName.ShouldBe("firewall-drop600");
        first.Keys.ShouldBe(["203.0.113.5"]);
        first.AlertId.ShouldBe("alert-1");
        first.AddedAt.ShouldBe(Start);
        first.ExpiresAt.ShouldBe(Start.AddMinutes(10));

        // An abort refreshes the timer; one without an expiry leaves it alone.
        await store.RecordOutcomeAsync(Outcome("003", 3, AuditEvents.Abort, "firewall-drop-203.0.113.5", expiresAt: Start.AddMinutes(30)), Ct);
        await store.RecordOutcomeAsync(Outcome("003", 4, AuditEvents.Abort, "firewall-drop-198.51.100.9"), Ct);
        // A failure changes nothing in the active list.
        await store.RecordOutcomeAsync(Outcome("003", 5, AuditEvents.Failure, "firewall-drop-198.51.100.9"), Ct);
        var afterAbort = await store.ListActiveAsync("003", Ct);
        afterAbort.Select(a => (a.RKey, a.ExpiresAt)).ShouldBe([
            ("firewall-drop-198.51.100.9", (DateTimeOffset?)Start.AddMinutes(3)), ("firewall-drop-203.0.113.5", Start.AddMinutes(30))]);

        // A delete removes that agent's rkey only.
        await store.RecordOutcomeAsync(Outcome("003", 6, AuditEvents.Delete, "firewall-drop-203.0.113.5", source: "timeout"), Ct);
        (await store.ListActiveAsync(null, Ct)).Select(a => (a.Agent, a.RKey)).ShouldBe([
            ("003", "firewall-drop-198.51.100.9"), ("004", "firewall-drop-203.0.113.5")]);
        (await store.ListActiveAsync("004", Ct)).ShouldHaveSingleItem().ExpiresAt.ShouldBe(Start.AddMinutes(5));

        // A revoke (a delete run on request) removes it too.
        await store.RecordOutcomeAsync(Outcome("004", 2, AuditEvents.Revoke, "firewall-drop-203.0.113.5", source: "fleet:c1"), Ct);
        (await store.ListActiveAsync("004", Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_abort_for_an_rkey_the_view_never_saw_added_makes_it_active()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        await store.RecordOutcomeAsync(Outcome("003", 9, AuditEvents.Abort, "firewall-drop-203.0.113.5", expiresAt: Start.AddMinutes(10)), Ct);

        (await store.ListActiveAsync("003", Ct)).ShouldHaveSingleItem().ExpiresAt.ShouldBe(Start.AddMinutes(10));
    }

    [Fact]
    public async Task A_command_recorded_after_its_outcome_arrived_is_answered_and_never_expires()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        await store.RecordOutcomeAsync(Outcome("003", 1, AuditEvents.Add, "firewall-drop-203.0.113.5", source: "fleet:cmd-early"), Ct);
        await store.RecordSentAsync(Sent("cmd-early", "003", ttl: TimeSpan.FromMinutes(5), target: "203.0.113.5"), Ct);
        // Another agent's outcome with the same source does not answer it.
        await store.RecordOutcomeAsync(Outcome("004", 1, AuditEvents.Add, "firewall-drop-203.0.113.5", source: "fleet:cmd-other"), Ct);
        await store.RecordSentAsync(Sent("cmd-other", "003", ttl: TimeSpan.FromMinutes(5), target: "203.0.113.6"), Ct);

        (await store.PendingCommandsAsync("003", Ct)).ShouldBe(new Dictionary<string, int> { ["003"] = 1 });
        _time.Advance(TimeSpan.FromMinutes(6));
        (await store.ExpireOverdueAsync(_time.GetUtcNow(), Ct)).Select(c => c.Id).ShouldBe(["cmd-other"]);
    }

    [Fact]
    public async Task An_answered_command_is_never_expired_and_an_unanswered_one_is_once_its_ttl_passes()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        var answered = Sent("cmd-a", "003", ttl: TimeSpan.FromMinutes(5), target: "203.0.113.5");
        var unanswered = Sent("cmd-b", "003", ttl: TimeSpan.FromMinutes(5), target: "198.51.100.9");
        var later = Sent("cmd-c", "004", ttl: TimeSpan.FromHours(1));
        foreach (var command in new[] { answered, unanswered, later })
        {
            await store.RecordSentAsync(command, Ct);
        }

        // A duplicate (a re-published alert) is ignored: still three commands, not four.
        await store.RecordSentAsync(answered with { Kind = "revoke" }, Ct);
        (await store.PendingCommandsAsync(null, Ct)).ShouldBe(new Dictionary<string, int> { ["003"] = 2, ["004"] = 1 });

        await store.RecordOutcomeAsync(Outcome("003", 1, AuditEvents.Add, "firewall-drop-203.0.113.5", source: "fleet:cmd-a"), Ct);
        (await store.PendingCommandsAsync("003", Ct)).ShouldBe(new Dictionary<string, int> { ["003"] = 1 });

        // Nothing is overdue before the TTL; exactly at it, still not (expired means ExpiresAt < now).
        (await store.ExpireOverdueAsync(Start.AddMinutes(5), Ct)).ShouldBeEmpty();

        _time.Advance(TimeSpan.FromMinutes(6));
        var expired = await store.ExpireOverdueAsync(_time.GetUtcNow(), Ct);
        expired.ShouldBe([unanswered]);
        // Expiring again finds nothing: each command expires once.
        (await store.ExpireOverdueAsync(_time.GetUtcNow(), Ct)).ShouldBeEmpty();
        (await store.PendingCommandsAsync(null, Ct)).ShouldBe(new Dictionary<string, int> { ["004"] = 1 });

        var row = (await store.QueryHistoryAsync(new FleetHistoryQuery(Event: FleetEvents.Expired), Ct)).ShouldHaveSingleItem();
        row.Agent.ShouldBe("003");
        row.ArName.ShouldBe("firewall-drop600");
        row.AlertId.ShouldBe("alert-cmd-b");
        row.Detail.ShouldBe("not taken by agent 003 within its time-to-live");
        row.Source.ShouldBe("manager");
        row.At.ShouldBe(_time.GetUtcNow());
        // Found by its target, as "history --key" looks for it.
        (await store.QueryHistoryAsync(new FleetHistoryQuery(Key: "198.51.100.9"), Ct)).ShouldHaveSingleItem().Event.ShouldBe(FleetEvents.Expired);
    }

    [Fact]
    public async Task A_command_past_its_ttl_no_longer_counts_as_pending_even_before_it_is_expired()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        await store.RecordSentAsync(Sent("cmd-a", "003", ttl: TimeSpan.FromMinutes(1)), Ct);
        (await store.PendingCommandsAsync("003", Ct))["003"].ShouldBe(1);

        _time.Advance(TimeSpan.FromMinutes(2));

        (await store.PendingCommandsAsync("003", Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Presence_goes_active_then_disconnected_after_three_missed_heartbeats_and_stopped_on_a_clean_stop()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        // The agent's clock is a day off: presence uses the manager's.
        await store.RecordHeartbeatAsync(Heartbeat("003", at: Start.AddDays(-1)), Ct);
        var seen = (await store.ListAgentsAsync(Ct)).ShouldHaveSingleItem();
        seen.ShouldBe(new AgentPresence("003", AgentStates.Active, Start, "1.4.0", "web-1", 2, Start.AddHours(-1)));

        _time.Advance(TimeSpan.FromSeconds(15));
        (await store.ListAgentsAsync(Ct)).ShouldHaveSingleItem().State.ShouldBe(AgentStates.Active);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        (await store.ListAgentsAsync(Ct)).ShouldHaveSingleItem().State.ShouldBe(AgentStates.Disconnected);

        // An outcome is a sign of life too.
        await store.RecordOutcomeAsync(Outcome("003", 1, AuditEvents.Skip, null), Ct);
        var revived = (await store.ListAgentsAsync(Ct)).ShouldHaveSingleItem();
        revived.State.ShouldBe(AgentStates.Active);
        revived.LastSeen.ShouldBe(_time.GetUtcNow());

        await store.RecordHeartbeatAsync(Heartbeat("003", at: Start) with { Stopping = true }, Ct);
        (await store.ListAgentsAsync(Ct)).ShouldHaveSingleItem().State.ShouldBe(AgentStates.Stopped);
        _time.Advance(TimeSpan.FromHours(1));
        (await store.ListAgentsAsync(Ct)).ShouldHaveSingleItem().State.ShouldBe(AgentStates.Stopped);

        // Restarted: its first heartbeat says it is not stopping.
        await store.RecordHeartbeatAsync(Heartbeat("003", at: Start), Ct);
        (await store.ListAgentsAsync(Ct)).ShouldHaveSingleItem().State.ShouldBe(AgentStates.Active);
    }

    [Fact]
    public async Task The_agents_own_interval_sets_when_it_counts_as_disconnected()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        await store.RecordHeartbeatAsync(Heartbeat("003", at: Start) with { IntervalMs = 60_000 }, Ct);
        // Heard from only through an outcome: the default interval (5 s).
        await store.RecordOutcomeAsync(Outcome("004", 1, AuditEvents.Skip, null), Ct);

        _time.Advance(TimeSpan.FromSeconds(30));

        var agents = await store.ListAgentsAsync(Ct);
        agents.Select(a => (a.Id, a.State)).ShouldBe([("003", AgentStates.Active), ("004", AgentStates.Disconnected)]);
        agents[1].Version.ShouldBeNull();
        agents[1].Active.ShouldBe(0);
    }

    [Fact]
    public async Task History_is_newest_first_and_filters_by_agent_key_event_and_time()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        await store.RecordOutcomeAsync(Outcome("003", 1, AuditEvents.Add, "firewall-drop-203.0.113.5"), Ct);
        await store.RecordOutcomeAsync(Outcome("004", 1, AuditEvents.Add, "firewall-drop-198.51.100.9") with { At = Start.AddMinutes(1).ToUnixTimeMilliseconds(), Keys = ["198.51.100.9"] }, Ct);
        await store.RecordOutcomeAsync(Outcome("003", 2, AuditEvents.Delete, "firewall-drop-203.0.113.5") with { At = Start.AddMinutes(2).ToUnixTimeMilliseconds() }, Ct);
        _time.Advance(TimeSpan.FromMinutes(3));
        await store.RecordUndeliverableAsync("009", "firewall-drop600", "alert-9", "agent 009 is not enrolled", Ct);
        await store.RecordRemotedAsync("010", "firewall-drop600", "alert-10", Ct);

        var all = await store.QueryHistoryAsync(new FleetHistoryQuery(), Ct);
        all.Select(r => (r.Agent, r.Event)).ShouldBe([
            ("010", FleetEvents.Sent), ("009", FleetEvents.Undeliverable), ("003", AuditEvents.Delete), ("004", AuditEvents.Add), ("003", AuditEvents.Add)]);
        all[1].Detail.ShouldBe("agent 009 is not enrolled");
        all[1].Source.ShouldBe("manager");
        all[1].At.ShouldBe(Start.AddMinutes(3));
        all[4].Keys.ShouldBe(["203.0.113.5"]);
        all[4].ShouldBe(new FleetHistoryRow(
            all[4].Id, Start, "003", AuditEvents.Add, "firewall-drop-203.0.113.5", "active-response/bin/firewall-drop", "firewall-drop600", "alert-1",
            all[4].Keys, 0, 12, "ran", "fleet:x"));

        (await store.QueryHistoryAsync(new FleetHistoryQuery(Agent: "003"), Ct)).Count.ShouldBe(2);
        (await store.QueryHistoryAsync(new FleetHistoryQuery(Key: "198.51.100.9"), Ct)).ShouldHaveSingleItem().Agent.ShouldBe("004");
        (await store.QueryHistoryAsync(new FleetHistoryQuery(Event: AuditEvents.Add), Ct)).Count.ShouldBe(2);
        (await store.QueryHistoryAsync(new FleetHistoryQuery(Since: Start.AddMinutes(2)), Ct)).Count.ShouldBe(3);
        (await store.QueryHistoryAsync(new FleetHistoryQuery(Limit: 1), Ct)).ShouldHaveSingleItem().Agent.ShouldBe("010");
    }

    [Fact]
    public async Task Pruning_removes_old_history_and_closed_commands_only()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        await store.RecordOutcomeAsync(Outcome("003", 1, AuditEvents.Add, "firewall-drop-203.0.113.5"), Ct);
        await store.RecordSentAsync(Sent("open", "003", ttl: TimeSpan.FromDays(30)), Ct);
        _time.Advance(TimeSpan.FromDays(8));
        await store.RecordOutcomeAsync(Outcome("003", 2, AuditEvents.Delete, "firewall-drop-203.0.113.5") with { At = _time.GetUtcNow().ToUnixTimeMilliseconds() }, Ct);

        (await store.PruneHistoryAsync(_time.GetUtcNow().AddDays(-7), Ct)).ShouldBe(1);

        (await store.QueryHistoryAsync(new FleetHistoryQuery(), Ct)).ShouldHaveSingleItem().Event.ShouldBe(AuditEvents.Delete);
        // The unanswered command is still waiting for its agent.
        (await store.PendingCommandsAsync("003", Ct))["003"].ShouldBe(1);
    }

    [Fact]
    public async Task A_read_only_store_sees_what_the_writer_committed_and_refuses_writes()
    {
        await using var writer = await FleetStore.OpenAsync(DbPath, _time, Ct);
        await using var reader = await FleetStore.OpenReadOnlyAsync(DbPath, _time, Ct);
        reader.IsReadOnly.ShouldBeTrue();

        await writer.RecordHeartbeatAsync(Heartbeat("003", at: Start), Ct);

        (await reader.ListAgentsAsync(Ct)).ShouldHaveSingleItem().Id.ShouldBe("003");
        await Should.ThrowAsync<InvalidOperationException>(async () => await reader.RecordHeartbeatAsync(Heartbeat("004", at: Start), Ct));
    }

    [Fact]
    public async Task The_view_survives_reopening()
    {
        await using (var store = await FleetStore.OpenAsync(DbPath, _time, Ct))
        {
            await store.RecordOutcomeAsync(Outcome("003", 1, AuditEvents.Add, "firewall-drop-203.0.113.5"), Ct);
        }

        await using var again = await FleetStore.OpenAsync(DbPath, _time, Ct);
        (await again.ListActiveAsync(null, Ct)).ShouldHaveSingleItem();
        (await again.RecordOutcomeAsync(Outcome("003", 1, AuditEvents.Add, "firewall-drop-203.0.113.5"), Ct)).ShouldBeFalse();
    }

    [Fact]
    public async Task The_file_is_created_mode_0600_in_a_0700_directory()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        await store.RecordHeartbeatAsync(Heartbeat("003", at: Start), Ct);

        File.GetUnixFileMode(DbPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(Path.GetDirectoryName(DbPath)!).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var sidecar in new[] { DbPath + "-wal", DbPath + "-shm" }.Where(File.Exists))
        {
            File.GetUnixFileMode(sidecar).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite, sidecar);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_symlinked_path_is_refused_and_its_target_left_alone(bool readOnly)
    {
        var target = Path.Combine(_dir, "elsewhere");
        File.WriteAllText(target, "precious");
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        File.CreateSymbolicLink(DbPath, target);

        var error = await Should.ThrowAsync<StateStoreException>(async () =>
        {
            await using var store = readOnly ? await FleetStore.OpenReadOnlyAsync(DbPath, _time, Ct) : await FleetStore.OpenAsync(DbPath, _time, Ct);
        });

        error.Message.ShouldContain("symbolic link");
        File.ReadAllText(target).ShouldBe("precious");
    }

    [Fact]
    public async Task A_symlinked_wal_is_refused()
    {
        await using (await FleetStore.OpenAsync(DbPath, _time, Ct))
        {
        }

        var target = Path.Combine(_dir, "elsewhere");
        File.WriteAllText(target, "precious");
        File.CreateSymbolicLink(DbPath + "-wal", target);

        (await Should.ThrowAsync<StateStoreException>(async () => await FleetStore.OpenAsync(DbPath, _time, Ct))).Message.ShouldContain("-wal");
        File.ReadAllText(target).ShouldBe("precious");
    }

    [Fact]
    public async Task Opening_a_missing_file_read_only_is_a_clear_error_and_creates_nothing()
    {
        FleetStore.Exists(DbPath).ShouldBeFalse();

        var error = await Should.ThrowAsync<StateStoreException>(async () => await FleetStore.OpenReadOnlyAsync(DbPath, _time, Ct));

        error.Message.ShouldContain("does not exist");
        error.Message.ShouldContain(DbPath);
        File.Exists(DbPath).ShouldBeFalse();
    }

    [Fact]
    public async Task Another_sqlite_file_is_not_taken_for_a_fleet_view()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE other (x INTEGER)";
            command.ExecuteNonQuery();
        }

        (await Should.ThrowAsync<StateStoreException>(async () => await FleetStore.OpenAsync(DbPath, _time, Ct))).Message.ShouldContain("not a Riposte fleet view");
        (await Should.ThrowAsync<StateStoreException>(async () => await FleetStore.OpenReadOnlyAsync(DbPath, _time, Ct))).Message.ShouldContain("not a Riposte fleet view");
    }

    [Fact]
    public async Task An_outcomes_rule_is_kept_and_reaches_its_event()
    {
        await using var store = await FleetStore.OpenAsync(DbPath, _time, Ct);
        await store.RecordOutcomeAsync(Outcome("003", 1, AuditEvents.Add, "firewall-drop-203.0.113.5") with { RuleId = "5712", RuleLevel = 10 }, Ct);
        await store.RecordOutcomeAsync(Outcome("003", 2, AuditEvents.Delete, "firewall-drop-203.0.113.5", source: "timeout"), Ct);

        var rows = await store.ReadHistoryAfterAsync(0, 10, Ct);
        rows.Select(r => (r.RuleId, r.RuleLevel)).ShouldBe([("5712", (int?)10), (null, null)]);
        (await store.QueryHistoryAsync(new FleetHistoryQuery(Agent: "003"), Ct)).Single(r => r.Event == AuditEvents.Add).RuleId.ShouldBe("5712");
        var added = FleetEventSource.ToEvent(rows[0]);
        (added.RuleId, added.RuleLevel).ShouldBe(("5712", (int?)10));
    }

    [Fact]
    public async Task A_version_1_view_gains_the_rule_columns_and_keeps_its_rows()
    {
        await using (var store = await FleetStore.OpenAsync(DbPath, _time, Ct))
        {
            await store.RecordOutcomeAsync(Outcome("003", 1, AuditEvents.Add, "firewall-drop-203.0.113.5"), Ct);
        }

        // What version 1 wrote: the history table without the two columns.
        using (var connection = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE history DROP COLUMN rule_id; ALTER TABLE history DROP COLUMN rule_level; PRAGMA user_version = 1;";
            command.ExecuteNonQuery();
        }

        await using (var store = await FleetStore.OpenAsync(DbPath, _time, Ct))
        {
            await store.RecordOutcomeAsync(Outcome("003", 2, AuditEvents.Add, "firewall-drop-203.0.113.6") with { RuleId = "31151", RuleLevel = 7 }, Ct);
            var rows = await store.ReadHistoryAfterAsync(0, 10, Ct);
            rows.Select(r => (r.RKey, r.RuleId)).ShouldBe([("firewall-drop-203.0.113.5", (string?)null), ("firewall-drop-203.0.113.6", "31151")]);
        }

        FleetStore.SchemaVersion.ShouldBe(2);
    }

    [Fact]
    public void An_outcome_from_an_agent_without_rules_reads_as_no_rule()
    {
        // Agents older than the rule fields send none; the manager reads that as unknown, not as an error.
        var json = """{"agent":"003","instance":"i","seq":1,"at":0,"event":"add","rkey":null,"program":"p","ar_name":null,"alert_id":null,"keys":[],"exit_code":0,"duration_ms":1,"detail":null,"source":null}""";
        var outcome = System.Text.Json.JsonSerializer.Deserialize(json, Riposte.Fleet.Transport.FleetJson.Default.AgentOutcome)!;
        (outcome.RuleId, outcome.RuleLevel).ShouldBe((null, null));
        System.Text.Json.JsonSerializer.Serialize(outcome with { RuleId = "5712", RuleLevel = 10 }, Riposte.Fleet.Transport.FleetJson.Default.AgentOutcome)
            .ShouldContain("\"rule_id\":\"5712\",\"rule_level\":10");
    }

    [Fact]
    public async Task The_schema_version_is_recorded_in_the_file()
    {
        await using (await FleetStore.OpenAsync(DbPath, _time, Ct))
        {
        }

        using var connection = new SqliteConnection($"Data Source={DbPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(FleetStore.SchemaVersion);
        command.CommandText = "PRAGMA journal_mode";
        (command.ExecuteScalar() as string).ShouldBe("wal");
    }

    private static AgentOutcome Outcome(string agent, long seq, string @event, string? rkey, DateTimeOffset? expiresAt = null, string source = "fleet:x") => new(
        agent,
        "inst-1",
        seq,
        Start.ToUnixTimeMilliseconds(),
        @event,
        rkey,
        "active-response/bin/firewall-drop",
        "firewall-drop600",
        "alert-1",
        rkey is null ? [] : [rkey["firewall-drop-".Length..]],
        0,
        12,
        "ran",
        source,
        expiresAt?.ToUnixTimeMilliseconds());

    private static AgentHeartbeat Heartbeat(string agent, DateTimeOffset at) =>
        new(agent, "1.4.0", at.ToUnixTimeMilliseconds(), Start.AddHours(-1).ToUnixTimeMilliseconds(), 5_000, 2, "web-1");

    private SentCommand Sent(string id, string agent, TimeSpan ttl, string? target = null) =>
        new(id, agent, "exec", "firewall-drop600", "alert-" + id, target, _time.GetUtcNow(), _time.GetUtcNow() + ttl, "manager-1");
}
