using Microsoft.Data.Sqlite;

namespace Riposte.State;

/// <summary>
/// The state that survives restarts, crashes and <c>kill -9</c>: the timeout list, repeated-offender counters, the
/// audit trail, input checkpoints and the decisions already taken for replayed input, in one SQLite file.
/// </summary>
/// <remarks>
/// <para>
/// The file is in WAL mode so that readers (<c>riposte status</c> in another process) never block the daemon and are
/// never blocked by it. <c>synchronous=FULL</c>: every commit is fsynced before it returns, because the engine records
/// an intent and then acts on the world (a firewall rule, a disabled account) that outlives a power cut; with NORMAL
/// the last commits before an OS crash could vanish while their effect stays, and nothing would ever revert it. The
/// cost is one fsync per logical operation, which is small beside the process each add or delete spawns; bulk loads
/// use <see cref="UpsertTimeoutsAsync"/> (one transaction, one fsync).
/// </para>
/// <para>
/// Every method may be called concurrently. Writes are serialised on one connection, each logical operation in one
/// immediate transaction; reads use a second, read-only connection, so a long listing never delays a write. A
/// <c>busy_timeout</c> makes both wait for other processes' locks instead of failing with "database is locked".
/// </para>
/// <para>
/// The methods complete synchronously once the lock is held: Microsoft.Data.Sqlite has no truly asynchronous I/O,
/// and a thread-pool hop per statement would cost more than the work.
/// </para>
/// <para>
/// This class is the one place where each operation's lock and transaction are taken: <see cref="StateDatabase"/>
/// opens the file and holds the connections and locks; <see cref="TimeoutTable"/>, <see cref="OffenderTable"/>,
/// <see cref="AuditTrail"/>, <see cref="CheckpointTable"/> and <see cref="DecisionTable"/> hold each table's SQL and
/// run inside the scope taken here, so the engine's atomic steps can span several of them in one transaction.
/// </para>
/// </remarks>
public sealed class SqliteStateStore : IAsyncDisposable
{
    private static readonly StateDatabaseKind Kind = new()
    {
        Role = "state database",
        Title = "State database",
        Owner = typeof(SqliteStateStore),
        RefuseSymlinks = StateFiles.RefuseSymlinks,
        CheckSchema = StateSchema.Check,
        Migrate = StateSchema.Migrate,
        Missing = path => $"State database '{path}' does not exist; start 'riposte serve' once to create it.",
        // 16 MiB instead of 2: the indexes of 100k entries stay cached, so adds do not re-read them.
        WriterPragmas = ["PRAGMA cache_size = -16384"],
        OptimizeOnClose = true,
    };

    private readonly StateDatabase _database;
    private readonly TimeoutTable _timeouts;
    private readonly OffenderTable _offenders;
    private readonly AuditTrail _audit;
    private readonly CheckpointTable _checkpoints;
    private readonly DecisionTable _decisions;
    private readonly TimeProvider _timeProvider;

    private SqliteStateStore(StateDatabase database, TimeProvider timeProvider)
    {
        _database = database;
        _timeProvider = timeProvider;
        _timeouts = new TimeoutTable(database, timeProvider);
        _offenders = new OffenderTable(database);
        _audit = new AuditTrail(database);
        _checkpoints = new CheckpointTable(database);
        _decisions = new DecisionTable(database);
        database.OnCommit(AfterCommit);
    }

    /// <summary>The schema version this build reads and writes (<c>PRAGMA user_version</c>).</summary>
    public static int SchemaVersion => StateSchema.CurrentVersion;

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath => _database.Path;

    /// <summary>True when opened with <see cref="OpenReadOnlyAsync"/>; writes then throw.</summary>
    public bool IsReadOnly => _database.IsReadOnly;

    /// <summary>Test seam: called at named points inside transactions so a test can fail one half-way.</summary>
    internal Action<string>? FaultHook { get; set; }

    /// <summary>
    /// Opens the state database for reading and writing, creating it (mode 0600, missing directories 0700) and
    /// migrating its schema as needed.
    /// </summary>
    /// <exception cref="StateStoreException">The file is not a Riposte state database, or is from a newer Riposte; this user
    /// may not use it (permission denied); or, as root, the file or its directory is a symbolic link.</exception>
    public static ValueTask<SqliteStateStore> OpenAsync(string path, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(timeProvider);
        cancellationToken.ThrowIfCancellationRequested();

        var fullPath = Path.GetFullPath(path);
        return ValueTask.FromResult(StateDatabase.Open(fullPath, Kind, database => new SqliteStateStore(database, timeProvider)));
    }

    /// <summary>
    /// Whether the state database exists, for readers that show "nothing yet" when it does not.
    /// </summary>
    /// <exception cref="StateStoreException">This user may not read it (permission denied): the state is not "empty".</exception>
    public static bool Exists(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return StateFiles.CheckAccess(Path.GetFullPath(path), write: false);
    }

    /// <summary>
    /// Opens an existing state database read-only, for CLI readers that run while <c>riposte serve</c> writes it.
    /// Write methods then throw <see cref="InvalidOperationException"/>.
    /// </summary>
    /// <exception cref="StateStoreException">The file is missing, not a Riposte state database, or of another schema version.</exception>
    public static ValueTask<SqliteStateStore> OpenReadOnlyAsync(string path, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(timeProvider);
        cancellationToken.ThrowIfCancellationRequested();

        var fullPath = Path.GetFullPath(path);
        return ValueTask.FromResult(StateDatabase.OpenReadOnly(fullPath, Kind, database => new SqliteStateStore(database, timeProvider)));
    }

    // ---- Timeout list -------------------------------------------------------------------------------------------

    /// <summary>The entry for <paramref name="rkey"/>, or null.</summary>
    public async ValueTask<TimeoutEntry?> GetTimeoutAsync(string rkey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        using var scope = await _database.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        return _timeouts.Get(rkey);
    }

    /// <summary>Every entry, soonest expiry first (ties by rkey).</summary>
    public async ValueTask<IReadOnlyList<TimeoutEntry>> ListTimeoutsAsync(CancellationToken cancellationToken = default)
    {
        using var scope = await _database.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        return _timeouts.List(cancellationToken);
    }

    /// <summary>
    /// What a scheduler needs of every entry (rkey, status, expiry), unsorted: start-up reads this instead of whole
    /// entries, whose delete messages would otherwise all be loaded into memory at once.
    /// </summary>
    public async ValueTask<IReadOnlyList<ScheduledTimeout>> ListScheduleAsync(CancellationToken cancellationToken = default)
    {
        using var scope = await _database.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        return _timeouts.ListSchedule();
    }

    /// <summary>Entries whose rkey is <paramref name="key"/> or whose keys include it, soonest expiry first.</summary>
    public async ValueTask<IReadOnlyList<TimeoutEntry>> FindTimeoutsByKeyAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var scope = await _database.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        return _timeouts.FindByKey(key, cancellationToken);
    }

    /// <summary>How many entries the timeout list holds.</summary>
    public async ValueTask<int> CountTimeoutsAsync(CancellationToken cancellationToken = default)
    {
        using var scope = await _database.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        return _timeouts.Count();
    }

    /// <summary>Inserts the entry, or replaces every field of the entry with the same rkey.</summary>
    public async ValueTask UpsertTimeoutAsync(TimeoutEntry entry, CancellationToken cancellationToken = default)
    {
        TimeoutTable.Validate(entry);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        _timeouts.Upsert(scope.Transaction, entry, entry.Status);
        scope.Commit();
    }

    /// <summary>Inserts or replaces many entries in one transaction (all or none): imports and bulk loads.</summary>
    public async ValueTask UpsertTimeoutsAsync(IReadOnlyCollection<TimeoutEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            TimeoutTable.Validate(entry);
        }

        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            _timeouts.Upsert(scope.Transaction, entry, entry.Status);
        }

        scope.Commit();
    }

    /// <summary>
    /// The abort path (spec §5.3): sets <c>time_of_addition</c> and <c>time_to_block</c> anew. The stored delete
    /// message is kept, as execd keeps the one built from the first alert. Returns false when there is no such entry.
    /// </summary>
    public async ValueTask<bool> RefreshTimeoutAsync(string rkey, DateTimeOffset addedAt, long durationSeconds, int offense, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var refreshed = _timeouts.Refresh(scope.Transaction, rkey, addedAt, durationSeconds, offense);
        scope.Commit();
        return refreshed;
    }

    /// <summary>Moves the entry to <paramref name="status"/>; returns false when there is no such entry.</summary>
    public async ValueTask<bool> SetStatusAsync(string rkey, EntryStatus status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var changed = _timeouts.SetStatus(scope.Transaction, rkey, status);
        scope.Commit();
        return changed;
    }

    /// <summary>
    /// Marks a <see cref="EntryStatus.Pending"/> entry <see cref="EntryStatus.Active"/> once its program has been handed
    /// its <c>continue</c>, without an fsync of its own: the mark only spares recovery a re-run of the add, so losing it
    /// to a power cut costs one idempotent add, never a block. A process crash keeps it (WAL in the page cache).
    /// </summary>
    public ValueTask MarkDeliveredAsync(string rkey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        return WriteWithoutFsyncAsync(transaction => _timeouts.MarkDelivered(transaction, rkey), cancellationToken);
    }

    /// <summary>Removes the entry; returns false when there was none.</summary>
    public async ValueTask<bool> RemoveTimeoutAsync(string rkey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var removed = _timeouts.Remove(scope.Transaction, rkey);
        scope.Commit();
        return removed;
    }

    // ---- Repeated offenders -------------------------------------------------------------------------------------

    /// <summary>The counter of <paramref name="rkey"/>, or null when it has never offended (or was forgiven).</summary>
    public async ValueTask<OffenderCounter?> GetOffenderAsync(string rkey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        using var scope = await _database.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        return _offenders.Get(rkey);
    }

    /// <summary>Creates or replaces the counter of <see cref="OffenderCounter.RKey"/>.</summary>
    public async ValueTask SetOffenderAsync(OffenderCounter counter, CancellationToken cancellationToken = default)
    {
        OffenderTable.Validate(counter);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        _offenders.Set(scope.Transaction, counter);
        scope.Commit();
    }

    /// <summary>Deletes the counter of <paramref name="rkey"/> (an operator's pardon); returns false when there was none.</summary>
    public async ValueTask<bool> RemoveOffenderAsync(string rkey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var removed = _offenders.Remove(scope.Transaction, rkey);
        scope.Commit();
        return removed;
    }

    /// <summary>Deletes every counter last seen before <paramref name="quietSince"/>; returns how many.</summary>
    public async ValueTask<int> ForgiveOffendersAsync(DateTimeOffset quietSince, CancellationToken cancellationToken = default)
    {
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var forgiven = _offenders.Forgive(scope.Transaction, quietSince);
        scope.Commit();
        return forgiven;
    }

    // ---- Audit --------------------------------------------------------------------------------------------------

    /// <summary>Appends the record (its <see cref="AuditRecord.Id"/> is ignored) and returns the id the store gave it.</summary>
    public async ValueTask<long> AppendAuditAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        AuditTrail.Validate(record);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var id = _audit.Insert(scope.Transaction, record);
        scope.Commit();
        return id;
    }

    /// <summary>
    /// Appends several records in one transaction (one commit for a group of concurrent runs). This commit is not
    /// fsynced on its own (<c>synchronous=NORMAL</c> for this transaction only): in WAL mode it survives a crash of
    /// the process, and reaches the disk with the next fsynced commit or checkpoint. Audit rows describe what
    /// happened; the rows the engine's recovery depends on (intents, timeouts) keep their fsync.
    /// </summary>
    public async ValueTask AppendAuditsAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            AuditTrail.Validate(record);
        }

        await WriteWithoutFsyncAsync(transaction =>
        {
            foreach (var record in records)
            {
                _audit.Insert(transaction, record);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The records matching <paramref name="query"/>, newest first (by time, then by id).</summary>
    public async ValueTask<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        using var scope = await _database.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        return _audit.Query(query, cancellationToken);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> records with an id above <paramref name="afterId"/>, oldest first: the audit trail
    /// read as an outbox (a fleet agent reports every row, in order, from the last one acknowledged).
    /// </summary>
    public async ValueTask<IReadOnlyList<AuditRecord>> ReadAuditAfterAsync(long afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        using var scope = await _database.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        return _audit.ReadAfter(afterId, limit, cancellationToken);
    }

    /// <summary>The highest audit id given so far (0 for none): where a reader that wants only new records starts.</summary>
    public async ValueTask<long> LatestAuditIdAsync(CancellationToken cancellationToken = default)
    {
        using var scope = await _database.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        return _audit.LatestId();
    }

    /// <summary>Deletes audit records older than <paramref name="olderThan"/> (retention); returns how many.</summary>
    public async ValueTask<int> PruneAuditAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var pruned = _audit.Prune(scope.Transaction, olderThan);
        scope.Commit();
        return pruned;
    }

    // ---- Input checkpoints and replay ---------------------------------------------------------------------------

    /// <summary>The checkpoint of <paramref name="source"/>, or null when it has never been read.</summary>
    public async ValueTask<SourceCheckpoint?> GetCheckpointAsync(string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var scope = await _database.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        return _checkpoints.Get(source);
    }

    /// <summary>Creates or replaces the checkpoint of <see cref="SourceCheckpoint.Source"/>.</summary>
    public async ValueTask SetCheckpointAsync(SourceCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        CheckpointTable.Validate(checkpoint);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        _checkpoints.Upsert(scope.Transaction, checkpoint, Now());
        scope.Commit();
    }

    /// <summary>
    /// Saves a checkpoint whose loss costs only repeated work that is recognised as such (an outbox position: rows sent
    /// again carry the same ids), so without a flush of its own; WAL still keeps it through a process crash.
    /// </summary>
    public ValueTask SetCheckpointLazilyAsync(SourceCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        CheckpointTable.Validate(checkpoint);
        var now = Now();
        return WriteWithoutFsyncAsync(transaction => _checkpoints.Upsert(transaction, checkpoint, now), cancellationToken);
    }

    /// <summary>
    /// Records that the decision <paramref name="decisionKey"/> (e.g. <c>alertId|arName|target</c>) was taken.
    /// Returns false when it already was: replayed input must not act twice.
    /// </summary>
    public async ValueTask<bool> TryRecordDecisionAsync(string decisionKey, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decisionKey);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var recorded = _decisions.TryInsert(scope.Transaction, decisionKey, at);
        scope.Commit();
        return recorded;
    }

    /// <summary>
    /// Records a decision after its outcome was recorded, without an fsync of its own: a decision lost to a power cut
    /// only makes its input run once more (at least once), and the next fsynced commit (a checkpoint) carries it.
    /// </summary>
    public ValueTask RecordDecisionAsync(string decisionKey, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decisionKey);
        return WriteWithoutFsyncAsync(transaction => _decisions.Insert(transaction, decisionKey, at), cancellationToken);
    }

    /// <summary>True when <paramref name="decisionKey"/> was recorded: its input was fully handled before a restart.</summary>
    public async ValueTask<bool> IsDecidedAsync(string decisionKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decisionKey);
        using var scope = await _database.EnterReadAsync(cancellationToken).ConfigureAwait(false);
        return _decisions.IsDecided(decisionKey);
    }

    /// <summary>Forgets decisions recorded before <paramref name="olderThan"/> (older than any input that can replay); returns how many.</summary>
    public async ValueTask<int> PruneDecisionsAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var pruned = _decisions.Prune(scope.Transaction, olderThan);
        scope.Commit();
        return pruned;
    }

    // ---- Atomic steps of the engine -----------------------------------------------------------------------------

    /// <summary>
    /// Records the intent to block before the program is told <c>continue</c>, in one transaction: the entry (stored
    /// as <see cref="EntryStatus.Pending"/> whatever its status says), the offender counter when given, and the audit
    /// record, and the decision of the input that asked for it when given (so a replay of that input is not applied
    /// again). Returns the audit record's id.
    /// </summary>
    public ValueTask<long> RecordAddIntentAsync(TimeoutEntry entry, OffenderCounter? counter, AuditRecord audit, CancellationToken cancellationToken = default) =>
        RecordAddIntentAsync(entry, counter, audit, null, cancellationToken);

    /// <inheritdoc cref="RecordAddIntentAsync(TimeoutEntry, OffenderCounter?, AuditRecord, CancellationToken)"/>
    public async ValueTask<long> RecordAddIntentAsync(TimeoutEntry entry, OffenderCounter? counter, AuditRecord audit, string? decisionKey,
        CancellationToken cancellationToken = default)
    {
        TimeoutTable.Validate(entry);
        if (counter is not null)
        {
            OffenderTable.Validate(counter);
        }

        AuditTrail.Validate(audit);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        _timeouts.Upsert(scope.Transaction, entry, EntryStatus.Pending);
        FaultHook?.Invoke("add-intent:entry");
        if (counter is not null)
        {
            _offenders.Set(scope.Transaction, counter);
            FaultHook?.Invoke("add-intent:counter");
        }

        var id = _audit.Insert(scope.Transaction, audit);
        FaultHook?.Invoke("add-intent:audit");
        _decisions.Insert(scope.Transaction, decisionKey, audit.At);
        scope.Commit();
        return id;
    }

    /// <summary>
    /// The abort path in one transaction: refreshes the entry's timer (see <see cref="RefreshTimeoutAsync"/>), sets
    /// the offender counter when given, appends the audit record and records the input's decision when given. Returns
    /// the audit record's id, or null when there is no entry for <paramref name="rkey"/>; nothing is written then, so
    /// the caller can record an add instead.
    /// </summary>
    public ValueTask<long?> RecordAbortAsync(
        string rkey,
        DateTimeOffset addedAt,
        long durationSeconds,
        int offense,
        OffenderCounter? counter,
        AuditRecord audit,
        CancellationToken cancellationToken = default) =>
        RecordAbortAsync(rkey, addedAt, durationSeconds, offense, counter, audit, null, cancellationToken);

    /// <inheritdoc cref="RecordAbortAsync(string, DateTimeOffset, long, int, OffenderCounter?, AuditRecord, CancellationToken)"/>
    public async ValueTask<long?> RecordAbortAsync(
        string rkey,
        DateTimeOffset addedAt,
        long durationSeconds,
        int offense,
        OffenderCounter? counter,
        AuditRecord audit,
        string? decisionKey,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        if (counter is not null)
        {
            OffenderTable.Validate(counter);
        }

        AuditTrail.Validate(audit);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        if (!_timeouts.Refresh(scope.Transaction, rkey, addedAt, durationSeconds, offense))
        {
            return null;
        }

        FaultHook?.Invoke("abort:entry");
        if (counter is not null)
        {
            _offenders.Set(scope.Transaction, counter);
            FaultHook?.Invoke("abort:counter");
        }

        var id = _audit.Insert(scope.Transaction, audit);
        _decisions.Insert(scope.Transaction, decisionKey, audit.At);
        scope.Commit();
        return id;
    }

    /// <summary>
    /// Moves the entry to <paramref name="status"/> (if it still exists) and appends the audit record in one
    /// transaction, e.g. <see cref="EntryStatus.Active"/> with the add run's outcome. Returns the audit record's id.
    /// </summary>
    public async ValueTask<long> RecordStatusAsync(string rkey, EntryStatus status, AuditRecord audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        AuditTrail.Validate(audit);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        _timeouts.SetStatus(scope.Transaction, rkey, status);
        FaultHook?.Invoke("status:entry");
        var id = _audit.Insert(scope.Transaction, audit);
        scope.Commit();
        return id;
    }

    /// <summary>Removes the entry and appends the audit record in one transaction; returns the audit record's id.</summary>
    public async ValueTask<long> CompleteDeleteAsync(string rkey, AuditRecord audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        AuditTrail.Validate(audit);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        _timeouts.Remove(scope.Transaction, rkey);
        FaultHook?.Invoke("delete:entry");
        var id = _audit.Insert(scope.Transaction, audit);
        FaultHook?.Invoke("delete:audit");
        scope.Commit();
        return id;
    }

    /// <summary>
    /// Raised after a commit that added audit rows (on the writing thread; handlers must be quick and must not throw):
    /// readers of the trail as an outbox look then instead of polling.
    /// </summary>
    public event Action? AuditAppended;

    /// <summary>Waits for running operations, then closes the connections; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    // ---- Internals ----------------------------------------------------------------------------------------------

    /// <summary>One logical operation's lock and immediate transaction, fsynced on commit.</summary>
    private ValueTask<StateDatabase.WriteScope> BeginWriteAsync(CancellationToken cancellationToken) =>
        _database.BeginWriteAsync(fsync: true, cancellationToken);

    /// <summary>One transaction committed with <c>synchronous=NORMAL</c> (no fsync of its own; see <see cref="AppendAuditsAsync"/>).</summary>
    private async ValueTask WriteWithoutFsyncAsync(Action<SqliteTransaction> write, CancellationToken cancellationToken)
    {
        using var scope = await _database.BeginWriteAsync(fsync: false, cancellationToken, recheckCancellation: false).ConfigureAwait(false);
        write(scope.Transaction);
        scope.Commit();
    }

    private void AfterCommit()
    {
        if (_audit.TakeAppended())
        {
            AuditAppended?.Invoke();
        }
    }

    private long Now() => UnixMs.From(_timeProvider.GetUtcNow());
}
