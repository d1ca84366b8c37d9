using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Riposte.Fleet.Messages;
using Riposte.State;
using static Riposte.State.SqliteValues;

namespace Riposte.Fleet.View;

/// <summary>
/// The manager's fleet view (<c>fleet.db</c>, see <see cref="Registry.FleetPaths.FleetState"/>): which agents are
/// alive, the commands sent to them and whether they were taken, every outcome they reported, and the active
/// responses on each agent as those outcomes describe them. <c>riposte agents</c>, <c>status</c> and <c>history</c>
/// read it.
/// </summary>
/// <remarks>
/// <para>
/// Opened like the engine's state (<see cref="SqliteStateStore"/>), by the same code (Core's <c>StateDatabase</c>): mode
/// 0600 from creation, WAL so CLI readers never block the manager, one writer and one read-only connection, a versioned
/// schema. Unlike the state file it is never opened through a symbolic link, whoever runs: its path is not
/// configurable, so a link there is never intended.
/// </para>
/// <para>
/// Outcomes, sent commands and the manager's own rows are fsynced on commit: the manager acknowledges an outcome to
/// NATS once it is recorded, and a lost row would be lost for good. Heartbeats are not: they come every few seconds,
/// and the next one repairs whatever a power cut took.
/// </para>
/// <para>Every method may be called concurrently; writes are serialised, reads use their own connection.</para>
/// </remarks>
public sealed class FleetStore : IAsyncDisposable
{
    /// <summary>The heartbeat interval assumed for an agent heard from only through outcomes (<c>fleet.heartbeat</c>'s default).</summary>
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(5);

    /// <summary>An agent is disconnected once it has missed this many heartbeats.</summary>
    public const int MissedHeartbeats = 3;

    private const string FleetSourcePrefix = "fleet:";
    private const string HistoryColumns = "id, at, agent, event, rkey, program, ar_name, alert_id, keys, exit_code, duration_ms, detail, source, rule_id, rule_level";

    // As the view has always been opened: without the state file's cache_size pragma and PRAGMA optimize on close.
    private static readonly StateDatabaseKind Kind = new()
    {
        Role = "fleet view",
        Title = "Fleet view",
        Owner = typeof(FleetStore),
        RefuseSymlinks = RefuseSymlinks,
        CheckSchema = FleetSchema.Check,
        Migrate = FleetSchema.Migrate,
        Missing = path => $"Fleet view '{path}' does not exist: this manager has no fleet yet (enrol agents with 'riposte fleet add-agent', then start the manager).",
    };

    private readonly StateDatabase _database;
    private readonly TimeProvider _time;

    private FleetStore(StateDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
    }

    /// <summary>The schema version this build reads and writes (<c>PRAGMA user_version</c>).</summary>
    public static int SchemaVersion => FleetSchema.CurrentVersion;

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath => _database.Path;

    /// <summary>True when opened with <see cref="OpenReadOnlyAsync"/>; writes then throw <see cref="InvalidOperationException"/>.</summary>
    public bool IsReadOnly => _database.IsReadOnly;

    /// <summary>
    /// Opens the fleet view for reading and writing, creating it (mode 0600, missing directories 0700) and migrating
    /// its schema as needed.
    /// </summary>
    /// <exception cref="StateStoreException">The file is not a fleet view or is from a newer Riposte; this user may not
    /// use it; or the file (or, as root, its directory) is a symbolic link.</exception>
    public static ValueTask<FleetStore> OpenAsync(string path, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(time);
        cancellationToken.ThrowIfCancellationRequested();

        var fullPath = Path.GetFullPath(path);
        return ValueTask.FromResult(StateDatabase.Open(fullPath, Kind, database => new FleetStore(database, time)));
    }

    /// <summary>
    /// Opens an existing fleet view read-only, for CLI readers that run while the manager writes it.
    /// </summary>
    /// <exception cref="StateStoreException">The file is missing, a symbolic link, not a fleet view, or of another schema version.</exception>
    public static ValueTask<FleetStore> OpenReadOnlyAsync(string path, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(time);
        cancellationToken.ThrowIfCancellationRequested();

        var fullPath = Path.GetFullPath(path);
        return ValueTask.FromResult(StateDatabase.OpenReadOnly(fullPath, Kind, database => new FleetStore(database, time)));
    }

    /// <summary>Whether the fleet view exists, for readers that show nothing of the fleet when it does not.</summary>
    /// <exception cref="StateStoreException">This user may not read it (permission denied): that is not "no fleet".</exception>
    public static bool Exists(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return StateFiles.CheckAccess(Path.GetFullPath(path), write: false);
    }

    // ---- What agents send ----------------------------------------------------------------------------------------

    /// <summary>
    /// Records a heartbeat: the agent's row gets the store's now as its last-seen time (the agent's clock may be wrong)
    /// and the heartbeat's version, hostname, active count, start time, interval and stopping flag.
    /// </summary>
    public ValueTask RecordHeartbeatAsync(AgentHeartbeat heartbeat, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        ArgumentException.ThrowIfNullOrEmpty(heartbeat.Agent, nameof(heartbeat));
        var now = Now();
        return WriteAsync(
            transaction =>
            {
                Execute(
                    transaction,
                    """
                    INSERT INTO agents (agent, last_seen, version, hostname, active, started_at, interval_ms, stopping)
                    VALUES ($agent, $now, $version, $hostname, $active, $started, $interval, $stopping)
                    ON CONFLICT (agent) DO UPDATE SET
                        last_seen = excluded.last_seen, version = excluded.version, hostname = excluded.hostname,
                        active = excluded.active, started_at = excluded.started_at, interval_ms = excluded.interval_ms,
                        stopping = excluded.stopping
                    """,
                    ("$agent", heartbeat.Agent), ("$now", now), ("$version", heartbeat.Version), ("$hostname", heartbeat.Hostname),
                    ("$active", heartbeat.Active), ("$started", heartbeat.StartedAt), ("$interval", heartbeat.IntervalMs),
                    ("$stopping", heartbeat.Stopping ? 1 : 0));
                return true;
            },
            fsync: false,
            cancellationToken).AsValueTask();
    }

    /// <summary>
    /// Records an outcome in one transaction: a history row; the agent's active responses (<c>add</c> upserts the rkey,
    /// <c>abort</c> moves its expiry when given, <c>delete</c> removes it); the answer to the sent command named by a
    /// <c>fleet:&lt;id&gt;</c> source (its first outcome only); and the agent's last-seen time (an agent that reports
    /// is alive).
    /// </summary>
    /// <returns>False, with nothing changed, when (agent, instance, seq) was already recorded: a redelivery.</returns>
    public async ValueTask<bool> RecordOutcomeAsync(AgentOutcome outcome, CancellationToken cancellationToken = default) =>
        (await RecordOutcomesAsync([outcome], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Records a batch of outcomes in one transaction (one fsync for all: a manager reading a backlog or a busy fleet
    /// pays one disk flush per batch, not per outcome), each as <see cref="RecordOutcomeAsync"/> does.
    /// </summary>
    /// <returns>For each outcome, false when it was already recorded.</returns>
    public ValueTask<bool[]> RecordOutcomesAsync(IReadOnlyList<AgentOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var outcome in outcomes)
        {
            ArgumentNullException.ThrowIfNull(outcome);
            ArgumentException.ThrowIfNullOrEmpty(outcome.Agent, nameof(outcomes));
            ArgumentNullException.ThrowIfNull(outcome.Instance, nameof(outcomes));
            ArgumentNullException.ThrowIfNull(outcome.Event, nameof(outcomes));
            ArgumentNullException.ThrowIfNull(outcome.Keys, nameof(outcomes));
        }

        var now = Now();
        return WriteAsync(
            transaction =>
            {
                var results = new bool[outcomes.Count];
                for (var i = 0; i < outcomes.Count; i++)
                {
                    results[i] = RecordOutcome(transaction, outcomes[i], now);
                }

                return results;
            },
            fsync: true,
            cancellationToken);
    }

    private static bool RecordOutcome(SqliteTransaction transaction, AgentOutcome outcome, long now)
    {
        var keys = KeysJson.Encode(outcome.Keys);
        // OR IGNORE on the (agent, instance, seq) index: the first statement decides whether this is new.
        var inserted = Execute(
            transaction,
            """
            INSERT OR IGNORE INTO history (at, received_at, agent, event, rkey, program, ar_name, alert_id, keys, exit_code, duration_ms, detail, source, instance, seq,
                                           rule_id, rule_level)
            VALUES ($at, $now, $agent, $event, $rkey, $program, $ar, $alert, $keys, $exit, $duration, $detail, $source, $instance, $seq, $rule, $level)
            """,
            ("$at", outcome.At), ("$now", now), ("$agent", outcome.Agent), ("$event", outcome.Event), ("$rkey", outcome.RKey),
            ("$program", outcome.Program), ("$ar", outcome.ArName), ("$alert", outcome.AlertId), ("$keys", keys),
            ("$exit", outcome.ExitCode), ("$duration", outcome.DurationMs), ("$detail", outcome.Detail), ("$source", outcome.Source),
            ("$instance", outcome.Instance), ("$seq", outcome.Seq), ("$rule", outcome.RuleId), ("$level", outcome.RuleLevel));
        if (inserted == 0)
        {
            return false;
        }

        UpdateActive(transaction, outcome, keys);
        Telemetry.RiposteMetrics.FleetOutcomeReceived(outcome.Agent, outcome.At, now);

        if (outcome.Source is { } source && source.StartsWith(FleetSourcePrefix, StringComparison.Ordinal))
        {
            // The first outcome answers the command; a later delete (source "timeout") is not its answer anyway.
            var id = source[FleetSourcePrefix.Length..];
            using var answer = Command(
                transaction.Connection!,
                transaction,
                "UPDATE sent SET answered_event = $event, answered_at = $now WHERE id = $id AND agent = $agent AND answered_at IS NULL RETURNING expired_at",
                ("$event", outcome.Event), ("$now", now), ("$id", id), ("$agent", outcome.Agent));
            if (answer.ExecuteScalar() is long expiredAt)
            {
                // Already recorded as expired: the agent took the command after all, late. Worth telling, since the
                // operator was told it expired.
                InsertManagerRow(transaction, now, now, outcome.Agent, FleetEvents.Late, outcome.ArName, outcome.AlertId, outcome.Keys.Count > 0 ? outcome.Keys[0] : null,
                    $"the agent answered ({outcome.Event}) {(now - expiredAt) / 1000.0:0.#}s after the manager had recorded the command expired");
            }
        }

        Execute(
            transaction,
            "INSERT INTO agents (agent, last_seen) VALUES ($agent, $now) ON CONFLICT (agent) DO UPDATE SET last_seen = excluded.last_seen",
            ("$agent", outcome.Agent), ("$now", now));
        return true;
    }

    private static void UpdateActive(SqliteTransaction transaction, AgentOutcome outcome, string keys)
    {
        if (outcome.RKey is not { } rkey)
        {
            return;
        }

        switch (outcome.Event)
        {
            case AuditEvents.Add:
                Execute(
                    transaction,
                    """
                    INSERT INTO active (agent, rkey, ar_name, keys, alert_id, added_at, expires_at)
                    VALUES ($agent, $rkey, $ar, $keys, $alert, $added, $expires)
                    ON CONFLICT (agent, rkey) DO UPDATE SET
                        ar_name = excluded.ar_name, keys = excluded.keys, alert_id = excluded.alert_id,
                        added_at = excluded.added_at, expires_at = excluded.expires_at
                    """,
                    ("$agent", outcome.Agent), ("$rkey", rkey), ("$ar", outcome.ArName), ("$keys", keys), ("$alert", outcome.AlertId),
                    ("$added", outcome.At), ("$expires", outcome.ExpiresAt));
                break;

            case AuditEvents.Abort:
                // An abort says the rkey is active on the agent: one whose add this view never saw (recorded before
                // the fleet view existed, or pruned) is added rather than left invisible.
                Execute(
                    transaction,
                    """
                    INSERT INTO active (agent, rkey, ar_name, keys, alert_id, added_at, expires_at)
                    VALUES ($agent, $rkey, $ar, $keys, $alert, $added, $expires)
                    ON CONFLICT (agent, rkey) DO UPDATE SET expires_at = coalesce(excluded.expires_at, active.expires_at)
                    """,
                    ("$agent", outcome.Agent), ("$rkey", rkey), ("$ar", outcome.ArName), ("$keys", keys), ("$alert", outcome.AlertId),
                    ("$added", outcome.At), ("$expires", outcome.ExpiresAt));
                break;

            case AuditEvents.Delete:
            case AuditEvents.Revoke:
                // A revoke is a delete run on request; either way the response is no longer in place.
                Execute(transaction, "DELETE FROM active WHERE agent = $agent AND rkey = $rkey", ("$agent", outcome.Agent), ("$rkey", rkey));
                break;
        }
    }

    // ---- What the manager does -----------------------------------------------------------------------------------

    /// <summary>
    /// Records a command the manager published; a command already recorded (same id and agent) is left as it is. It may
    /// be recorded after its outcome (the manager does not hold the publish back for it): it is then answered at once.
    /// </summary>
    public ValueTask RecordSentAsync(SentCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentException.ThrowIfNullOrEmpty(command.Id, nameof(command));
        ArgumentException.ThrowIfNullOrEmpty(command.Agent, nameof(command));
        ArgumentNullException.ThrowIfNull(command.Kind, nameof(command));
        ArgumentNullException.ThrowIfNull(command.Manager, nameof(command));
        return WriteAsync(
            transaction =>
            {
                var inserted = Execute(
                    transaction,
                    """
                    INSERT OR IGNORE INTO sent (id, agent, kind, ar_name, alert_id, target, issued_at, expires_at, manager)
                    VALUES ($id, $agent, $kind, $ar, $alert, $target, $issued, $expires, $manager)
                    """,
                    ("$id", command.Id), ("$agent", command.Agent), ("$kind", command.Kind), ("$ar", command.ArName), ("$alert", command.AlertId),
                    ("$target", command.Target), ("$issued", UnixMs.From(command.IssuedAt)), ("$expires", UnixMs.From(command.ExpiresAt)),
                    ("$manager", command.Manager));
                if (inserted > 0)
                {
                    // The manager records a command beside publishing it, so its outcome may already be here.
                    Execute(
                        transaction,
                        """
                        UPDATE sent SET (answered_event, answered_at) = (
                            SELECT event, received_at FROM history WHERE source = $source AND agent = $agent ORDER BY id LIMIT 1)
                        WHERE id = $id AND agent = $agent
                          AND EXISTS (SELECT 1 FROM history WHERE source = $source AND agent = $agent)
                        """,
                        ("$source", FleetSourcePrefix + command.Id), ("$agent", command.Agent), ("$id", command.Id));
                }

                return inserted;
            },
            // No flush of its own: WAL keeps it through a process crash, and a power cut that loses it costs only the
            // expiry bookkeeping of a command NATS already holds (its outcome is still recorded when it comes).
            fsync: false,
            cancellationToken).AsValueTask();
    }

    /// <summary>
    /// Marks every sent command that has no answer and whose time to live ended before <paramref name="now"/> as
    /// expired, with an <see cref="FleetEvents.Expired"/> history row each, in one transaction.
    /// </summary>
    /// <remarks>
    /// An outcome that arrives later still answers the command (the agent did take it, e.g. while the manager was
    /// down); call this after the outcome backlog is read to avoid such false expiries.
    /// </remarks>
    /// <returns>The commands it expired, oldest expiry first.</returns>
    public ValueTask<IReadOnlyList<SentCommand>> ExpireOverdueAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var at = UnixMs.From(now);
        var received = Now();
        return WriteAsync<IReadOnlyList<SentCommand>>(
            transaction =>
            {
                var overdue = new List<SentCommand>();
                using (var select = Command(
                    transaction.Connection!,
                    transaction,
                    """
                    SELECT id, agent, kind, ar_name, alert_id, target, issued_at, expires_at, manager FROM sent
                    WHERE answered_at IS NULL AND expired_at IS NULL AND expires_at < $now ORDER BY expires_at, id, agent
                    """,
                    ("$now", at)))
                using (var reader = select.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        overdue.Add(new SentCommand(
                            reader.GetString(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3), NullableString(reader, 4),
                            NullableString(reader, 5), UnixMs.To(reader.GetInt64(6)), UnixMs.To(reader.GetInt64(7)), reader.GetString(8)));
                    }
                }

                foreach (var command in overdue)
                {
                    Execute(transaction, "UPDATE sent SET expired_at = $now WHERE id = $id AND agent = $agent", ("$now", at), ("$id", command.Id), ("$agent", command.Agent));
                    InsertManagerRow(
                        transaction, at, received, command.Agent, FleetEvents.Expired, command.ArName, command.AlertId, command.Target,
                        $"not taken by agent {command.Agent} within its time-to-live");
                }

                return overdue;
            },
            fsync: true,
            cancellationToken);
    }

    /// <summary>
    /// Records that a response for <paramref name="agent"/> could not be delivered (the agent is not enrolled and no
    /// remoted queue is configured): an <see cref="FleetEvents.Undeliverable"/> history row, at the store's now.
    /// </summary>
    public ValueTask RecordUndeliverableAsync(string agent, string? arName, string? alertId, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(agent);
        ArgumentNullException.ThrowIfNull(reason);
        var now = Now();
        return WriteAsync(
            transaction => InsertManagerRow(transaction, now, now, agent, FleetEvents.Undeliverable, arName, alertId, null, reason),
            fsync: true,
            cancellationToken).AsValueTask();
    }

    /// <summary>
    /// Records a command handed to wazuh-remoted for a Wazuh agent: a <see cref="FleetEvents.Sent"/> history row, at the
    /// store's now. Nothing will ever answer it: remoted reports no outcome, as in Wazuh.
    /// </summary>
    public ValueTask RecordRemotedAsync(string agent, string? arName, string? alertId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(agent);
        var now = Now();
        return WriteAsync(
            transaction => InsertManagerRow(
                transaction, now, now, agent, FleetEvents.Sent, arName, alertId, null, "sent to wazuh-remoted for a Wazuh agent; its outcome is not reported"),
            fsync: true,
            cancellationToken).AsValueTask();
    }

    /// <summary>
    /// Deletes history rows that happened and were received before <paramref name="olderThan"/>, and sent commands
    /// issued before it that were answered or expired. Returns how many history rows.
    /// </summary>
    /// <remarks>
    /// An outcome's row is also what recognises its redelivery: keep <paramref name="olderThan"/> older than the
    /// outcome stream's retention (<c>fleet.outcome_retention</c>), or a re-created consumer would record old outcomes again.
    /// </remarks>
    public ValueTask<int> PruneHistoryAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        var before = UnixMs.From(olderThan);
        return WriteAsync(
            transaction =>
            {
                var pruned = Execute(transaction, "DELETE FROM history WHERE at < $before AND received_at < $before", ("$before", before));
                Execute(
                    transaction,
                    "DELETE FROM sent WHERE issued_at < $before AND (answered_at IS NOT NULL OR expired_at IS NOT NULL)",
                    ("$before", before));
                return pruned;
            },
            fsync: true,
            cancellationToken);
    }

    // ---- Queries -------------------------------------------------------------------------------------------------

    /// <summary>Every agent heard from, by id, with its state computed now (the store's clock).</summary>
    public ValueTask<IReadOnlyList<AgentPresence>> ListAgentsAsync(CancellationToken cancellationToken = default)
    {
        var now = Now();
        return ReadAsync<IReadOnlyList<AgentPresence>>(
            connection =>
            {
                var agents = new List<AgentPresence>();
                using var command = Command(connection, null, "SELECT agent, last_seen, version, hostname, active, started_at, interval_ms, stopping FROM agents ORDER BY agent");
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var lastSeen = reader.GetInt64(1);
                    var interval = reader.IsDBNull(6) || reader.GetInt64(6) <= 0 ? (long)DefaultHeartbeatInterval.TotalMilliseconds : reader.GetInt64(6);
                    var state = reader.GetInt64(7) != 0
                        ? AgentStates.Stopped
                        : now - lastSeen <= MissedHeartbeats * interval ? AgentStates.Active : AgentStates.Disconnected;
                    agents.Add(new AgentPresence(
                        reader.GetString(0),
                        state,
                        UnixMs.To(lastSeen),
                        NullableString(reader, 2),
                        NullableString(reader, 3),
                        reader.GetInt32(4),
                        reader.IsDBNull(5) ? null : UnixMs.To(reader.GetInt64(5))));
                }

                return agents;
            },
            cancellationToken);
    }

    /// <summary>The active responses on <paramref name="agent"/> (every agent when null), by agent, then soonest expiry (unknown last).</summary>
    public ValueTask<IReadOnlyList<FleetActive>> ListActiveAsync(string? agent = null, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<FleetActive>>(
            connection =>
            {
                var active = new List<FleetActive>();
                using var command = Command(
                    connection,
                    null,
                    "SELECT agent, rkey, ar_name, keys, alert_id, added_at, expires_at FROM active WHERE ($agent IS NULL OR agent = $agent) " +
                    "ORDER BY agent, expires_at IS NULL, expires_at, rkey",
                    ("$agent", agent));
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    active.Add(new FleetActive(
                        reader.GetString(0),
                        reader.GetString(1),
                        NullableString(reader, 2),
                        KeysJson.Decode(reader.GetString(3)),
                        NullableString(reader, 4),
                        UnixMs.To(reader.GetInt64(5)),
                        reader.IsDBNull(6) ? null : UnixMs.To(reader.GetInt64(6))));
                }

                return active;
            },
            cancellationToken);

    /// <summary>The history rows matching <paramref name="query"/>, newest first (by time, then by id; by id alone with a cursor).</summary>
    public ValueTask<IReadOnlyList<FleetHistoryRow>> QueryHistoryAsync(FleetHistoryQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        var sql = new StringBuilder("SELECT ").Append(HistoryColumns).Append(" FROM history");
        var conditions = new List<string>(4);
        var parameters = new List<(string, object?)>(5);
        if (query.Since is { } since)
        {
            conditions.Add("at >= $since");
            parameters.Add(("$since", UnixMs.From(since)));
        }

        if (query.Agent is { } agent)
        {
            conditions.Add("agent = $agent");
            parameters.Add(("$agent", agent));
        }

        if (!string.IsNullOrEmpty(query.Key))
        {
            // As the state's audit query: the rkey equals or contains the key; keys must match whole.
            conditions.Add("(instr(rkey, $key) > 0 OR EXISTS (SELECT 1 FROM json_each(history.keys) WHERE json_each.value = $key))");
            parameters.Add(("$key", query.Key));
        }

        if (query.Event is { } @event)
        {
            conditions.Add("event = $event");
            parameters.Add(("$event", @event));
        }

        if (query.BeforeId is { } before)
        {
            conditions.Add("id < $before");
            parameters.Add(("$before", before));
        }

        if (conditions.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
        }

        sql.Append(query.BeforeId is null ? " ORDER BY at DESC, id DESC LIMIT $limit" : " ORDER BY id DESC LIMIT $limit");
        parameters.Add(("$limit", query.Limit));

        return ReadAsync<IReadOnlyList<FleetHistoryRow>>(
            connection =>
            {
                using var command = Command(connection, null, sql.ToString(), [.. parameters]);
                return ReadHistoryRows(command, Math.Min(query.Limit, 256), cancellationToken);
            },
            cancellationToken);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> history rows with an id above <paramref name="afterId"/>, oldest first: the fleet's
    /// history read as an event log (notifications, the events file and the live view on a manager).
    /// </summary>
    public ValueTask<IReadOnlyList<FleetHistoryRow>> ReadHistoryAfterAsync(long afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return ReadAsync<IReadOnlyList<FleetHistoryRow>>(
            connection =>
            {
                using var command = Command(connection, null, $"SELECT {HistoryColumns} FROM history WHERE id > $after ORDER BY id LIMIT $limit",
                    ("$after", afterId), ("$limit", limit));
                return ReadHistoryRows(command, Math.Min(limit, 256), cancellationToken);
            },
            cancellationToken);
    }

    /// <summary>The highest history id given so far (ids are never reused), 0 for none.</summary>
    public ValueTask<long> LatestHistoryIdAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(
            connection =>
            {
                using var command = Command(connection, null, "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'history'), 0)");
                return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);

    /// <summary>
    /// Raised after each committed write (on the writing thread; handlers must be quick and must not throw): readers of
    /// the history as an event log look then instead of waiting for their poll. It may fire when no row was added.
    /// </summary>
    public event Action? HistoryAppended;

    /// <summary>
    /// How many commands each agent has not answered yet and whose time to live has not passed (the store's clock):
    /// the commands waiting for it. Only agents with at least one appear; <paramref name="agent"/> narrows to one.
    /// </summary>
    public ValueTask<IReadOnlyDictionary<string, int>> PendingCommandsAsync(string? agent = null, CancellationToken cancellationToken = default)
    {
        var now = Now();
        return ReadAsync<IReadOnlyDictionary<string, int>>(
            connection =>
            {
                var pending = new Dictionary<string, int>(StringComparer.Ordinal);
                using var command = Command(
                    connection,
                    null,
                    "SELECT agent, count(*) FROM sent WHERE answered_at IS NULL AND expired_at IS NULL AND expires_at >= $now " +
                    "AND ($agent IS NULL OR agent = $agent) GROUP BY agent",
                    ("$now", now), ("$agent", agent));
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    pending[reader.GetString(0)] = reader.GetInt32(1);
                }

                return pending;
            },
            cancellationToken);
    }

    /// <summary>Waits for running operations, then closes the connections; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    // ---- Internals ----------------------------------------------------------------------------------------------

    private static void RefuseSymlinks(string path)
    {
        foreach (var candidate in (string[])[path, .. StateFiles.SidecarSuffixes.Select(s => path + s)])
        {
            if (new FileInfo(candidate).LinkTarget is { } target)
            {
                throw new StateStoreException($"Fleet view path '{candidate}' is a symbolic link (to '{target}'); Riposte does not follow it. Remove the link.");
            }
        }

        // As root, also the directory: SQLite would create its sidecars wherever a linked directory points.
        StateFiles.RefuseSymlinks(path);
    }

    /// <summary>One transaction under the write lock; <paramref name="fsync"/> false commits it without a flush of its own.</summary>
    private async ValueTask<T> WriteAsync<T>(Func<SqliteTransaction, T> write, bool fsync, CancellationToken cancellationToken)
    {
        using var scope = await _database.BeginWriteAsync(fsync, cancellationToken).ConfigureAwait(false);
        var result = write(scope.Transaction);
        scope.Commit();
        HistoryAppended?.Invoke();
        return result;
    }

    private async ValueTask<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken)
    {
        using var scope = await _database.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        return read(_database.Reader);
    }

    private long Now() => UnixMs.From(_time.GetUtcNow());

    private static List<FleetHistoryRow> ReadHistoryRows(SqliteCommand command, int capacity, CancellationToken cancellationToken)
    {
        var rows = new List<FleetHistoryRow>(capacity);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            rows.Add(new FleetHistoryRow(
                reader.GetInt64(0),
                UnixMs.To(reader.GetInt64(1)),
                reader.GetString(2),
                reader.GetString(3),
                NullableString(reader, 4),
                NullableString(reader, 5),
                NullableString(reader, 6),
                NullableString(reader, 7),
                KeysJson.Decode(reader.GetString(8)),
                reader.IsDBNull(9) ? null : reader.GetInt32(9),
                reader.GetInt64(10),
                NullableString(reader, 11),
                NullableString(reader, 12),
                NullableString(reader, 13),
                reader.IsDBNull(14) ? null : reader.GetInt32(14)));
        }

        return rows;
    }

    private static int InsertManagerRow(
        SqliteTransaction transaction, long at, long received, string agent, string @event, string? arName, string? alertId, string? target, string detail) =>
        Execute(
            transaction,
            """
            INSERT INTO history (at, received_at, agent, event, rkey, program, ar_name, alert_id, keys, exit_code, duration_ms, detail, source)
            VALUES ($at, $received, $agent, $event, NULL, NULL, $ar, $alert, $keys, NULL, 0, $detail, $source)
            """,
            ("$at", at), ("$received", received), ("$agent", agent), ("$event", @event), ("$ar", arName), ("$alert", alertId),
            ("$keys", KeysJson.Encode(target is null ? [] : [target])), ("$detail", detail), ("$source", FleetEvents.ManagerSource));

    private static int Execute(SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(transaction.Connection!, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}

file static class ValueTaskExtensions
{
    /// <summary>Drops the result of a write whose callers need none.</summary>
    public static async ValueTask AsValueTask<T>(this ValueTask<T> task) => await task.ConfigureAwait(false);
}
