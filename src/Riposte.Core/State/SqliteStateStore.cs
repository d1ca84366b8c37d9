using System.Globalization;
using System.Text;
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
/// </remarks>
public sealed class SqliteStateStore : IAsyncDisposable
{
    /// <summary>How long a statement waits for another connection's lock before failing.</summary>

    private const string EntryColumns = "rkey, program, delete_message, added_at, duration_s, ar_name, alert_id, keys, status, offense";
    private const string AuditColumns = "id, at, event, rkey, program, ar_name, alert_id, keys, exit_code, duration_ms, stdout, stderr, detail, source";

    private readonly SqliteConnection? _writer;
    private readonly SqliteConnection _reader;
    private readonly WriteStatements? _write;
    private readonly ReadStatements _read;
    private readonly Dictionary<int, PreparedStatement> _auditQueries = [];
    private PreparedStatement? _auditAfter;
    private int _auditPending;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _readLock = new(1, 1);
    private readonly TimeProvider _timeProvider;
    private volatile bool _disposed;
    private int _disposing;

    private SqliteStateStore(string path, TimeProvider timeProvider, SqliteConnection? writer, SqliteConnection reader)
    {
        DatabasePath = path;
        _timeProvider = timeProvider;
        _writer = writer;
        _reader = reader;
        _write = writer is null ? null : new WriteStatements(writer);
        _read = new ReadStatements(reader);
    }

    /// <summary>The schema version this build reads and writes (<c>PRAGMA user_version</c>).</summary>
    public static int SchemaVersion => StateSchema.CurrentVersion;

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath { get; }

    /// <summary>True when opened with <see cref="OpenReadOnlyAsync"/>; writes then throw.</summary>
    public bool IsReadOnly => _writer is null;

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
        SqliteConnection? writer = null;
        SqliteConnection? reader = null;
        try
        {
            StateFiles.RefuseSymlinks(fullPath);
            StateFiles.CheckAccess(fullPath, write: true);
            StateFiles.EnsureDirectory(Path.GetDirectoryName(fullPath) ?? string.Empty);
            StateFiles.CreateDatabaseFile(fullPath);
            writer = StateFiles.Connect(fullPath, SqliteOpenMode.ReadWrite);
            // Identify the file before changing anything in it (the journal mode is stored in the file).
            StateSchema.Check(writer, null, fullPath, allowOlder: true);
            var journalMode = Scalar(writer, "PRAGMA journal_mode = WAL") as string;
            if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new StateStoreException($"State database '{fullPath}' could not be switched to WAL mode (journal_mode is '{journalMode}').");
            }

            Scalar(writer, "PRAGMA synchronous = FULL");
            // Keeps a large burst from leaving a large -wal behind after the checkpoint.
            Scalar(writer, "PRAGMA journal_size_limit = 67108864");
            // 16 MiB instead of 2: the indexes of 100k entries stay cached, so adds do not re-read them.
            Scalar(writer, "PRAGMA cache_size = -16384");
            StateSchema.Migrate(writer, fullPath);
            StateFiles.AlignSidecarModes(fullPath);

            reader = StateFiles.Connect(fullPath, SqliteOpenMode.ReadOnly);
            return ValueTask.FromResult(new SqliteStateStore(fullPath, timeProvider, writer, reader));
        }
        catch (Exception e)
        {
            reader?.Dispose();
            writer?.Dispose();
            throw Wrap(e, fullPath);
        }
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
        StateFiles.RefuseSymlinks(fullPath);
        if (!StateFiles.CheckAccess(fullPath, write: false))
        {
            throw new StateStoreException($"State database '{fullPath}' does not exist; start 'riposte serve' once to create it.");
        }

        SqliteConnection? reader = null;
        try
        {
            reader = StateFiles.Connect(fullPath, SqliteOpenMode.ReadOnly);
            StateSchema.Check(reader, null, fullPath, allowOlder: false);
            return ValueTask.FromResult(new SqliteStateStore(fullPath, timeProvider, null, reader));
        }
        catch (Exception e)
        {
            reader?.Dispose();
            throw Wrap(e, fullPath);
        }
    }

    // ---- Timeout list -------------------------------------------------------------------------------------------

    /// <summary>The entry for <paramref name="rkey"/>, or null.</summary>
    public async ValueTask<TimeoutEntry?> GetTimeoutAsync(string rkey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        using var scope = await EnterReadAsync(cancellationToken).ConfigureAwait(false);
        using var reader = _read.GetTimeout.Bind(null, rkey).ExecuteReader();
        return reader.Read() ? ReadEntry(reader) : null;
    }

    /// <summary>Every entry, soonest expiry first (ties by rkey).</summary>
    public async ValueTask<IReadOnlyList<TimeoutEntry>> ListTimeoutsAsync(CancellationToken cancellationToken = default)
    {
        using var scope = await EnterReadAsync(cancellationToken).ConfigureAwait(false);
        var count = Convert.ToInt32(_read.CountTimeouts.Bind(null).ExecuteScalar(), CultureInfo.InvariantCulture);
        return ReadEntries(_read.ListTimeouts.Bind(null), count, cancellationToken);
    }

    /// <summary>
    /// What a scheduler needs of every entry (rkey, status, expiry), unsorted: start-up reads this instead of whole
    /// entries, whose delete messages would otherwise all be loaded into memory at once.
    /// </summary>
    public async ValueTask<IReadOnlyList<ScheduledTimeout>> ListScheduleAsync(CancellationToken cancellationToken = default)
    {
        using var scope = await EnterReadAsync(cancellationToken).ConfigureAwait(false);
        var count = Convert.ToInt32(_read.CountTimeouts.Bind(null).ExecuteScalar(), CultureInfo.InvariantCulture);
        var schedule = new List<ScheduledTimeout>(count);
        using var reader = _read.ListSchedule.Bind(null).ExecuteReader();
        while (reader.Read())
        {
            schedule.Add(new ScheduledTimeout(reader.GetString(0), ParseStatus(reader.GetString(1)), UnixMs.To(reader.GetInt64(2))));
        }

        return schedule;
    }

    /// <summary>Entries whose rkey is <paramref name="key"/> or whose keys include it, soonest expiry first.</summary>
    public async ValueTask<IReadOnlyList<TimeoutEntry>> FindTimeoutsByKeyAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var scope = await EnterReadAsync(cancellationToken).ConfigureAwait(false);
        return ReadEntries(_read.FindTimeoutsByKey.Bind(null, key), 0, cancellationToken);
    }

    /// <summary>How many entries the timeout list holds.</summary>
    public async ValueTask<int> CountTimeoutsAsync(CancellationToken cancellationToken = default)
    {
        using var scope = await EnterReadAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt32(_read.CountTimeouts.Bind(null).ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Inserts the entry, or replaces every field of the entry with the same rkey.</summary>
    public async ValueTask UpsertTimeoutAsync(TimeoutEntry entry, CancellationToken cancellationToken = default)
    {
        Validate(entry);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        UpsertEntry(scope.Transaction, entry, entry.Status);
        scope.Commit();
    }

    /// <summary>Inserts or replaces many entries in one transaction (all or none): imports and bulk loads.</summary>
    public async ValueTask UpsertTimeoutsAsync(IReadOnlyCollection<TimeoutEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            Validate(entry);
        }

        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            UpsertEntry(scope.Transaction, entry, entry.Status);
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
        var refreshed = Refresh(scope.Transaction, rkey, addedAt, durationSeconds, offense);
        scope.Commit();
        return refreshed;
    }

    /// <summary>Moves the entry to <paramref name="status"/>; returns false when there is no such entry.</summary>
    public async ValueTask<bool> SetStatusAsync(string rkey, EntryStatus status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var changed = _write!.SetStatus.Bind(scope.Transaction, StatusText(status), Now(), rkey).ExecuteNonQuery() > 0;
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
        return WriteWithoutFsyncAsync(transaction => _write!.MarkDelivered.Bind(transaction, Now(), rkey).ExecuteNonQuery(), cancellationToken);
    }

    /// <summary>Removes the entry; returns false when there was none.</summary>
    public async ValueTask<bool> RemoveTimeoutAsync(string rkey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var removed = RemoveEntry(scope.Transaction, rkey);
        scope.Commit();
        return removed;
    }

    // ---- Repeated offenders -------------------------------------------------------------------------------------

    /// <summary>The counter of <paramref name="rkey"/>, or null when it has never offended (or was forgiven).</summary>
    public async ValueTask<OffenderCounter?> GetOffenderAsync(string rkey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        using var scope = await EnterReadAsync(cancellationToken).ConfigureAwait(false);
        using var reader = _read.GetOffender.Bind(null, rkey).ExecuteReader();
        return reader.Read() ? new OffenderCounter(rkey, reader.GetInt32(0), UnixMs.To(reader.GetInt64(1))) : null;
    }

    /// <summary>Creates or replaces the counter of <see cref="OffenderCounter.RKey"/>.</summary>
    public async ValueTask SetOffenderAsync(OffenderCounter counter, CancellationToken cancellationToken = default)
    {
        Validate(counter);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        SetOffender(scope.Transaction, counter);
        scope.Commit();
    }

    /// <summary>Deletes the counter of <paramref name="rkey"/> (an operator's pardon); returns false when there was none.</summary>
    public async ValueTask<bool> RemoveOffenderAsync(string rkey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var removed = _write!.DeleteOffender.Bind(scope.Transaction, rkey).ExecuteNonQuery() > 0;
        scope.Commit();
        return removed;
    }

    /// <summary>Deletes every counter last seen before <paramref name="quietSince"/>; returns how many.</summary>
    public async ValueTask<int> ForgiveOffendersAsync(DateTimeOffset quietSince, CancellationToken cancellationToken = default)
    {
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var forgiven = _write!.ForgiveOffenders.Bind(scope.Transaction, UnixMs.From(quietSince)).ExecuteNonQuery();
        scope.Commit();
        return forgiven;
    }

    // ---- Audit --------------------------------------------------------------------------------------------------

    /// <summary>Appends the record (its <see cref="AuditRecord.Id"/> is ignored) and returns the id the store gave it.</summary>
    public async ValueTask<long> AppendAuditAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        Validate(record);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var id = InsertAudit(scope.Transaction, record);
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
            Validate(record);
        }

        await WriteWithoutFsyncAsync(transaction =>
        {
            foreach (var record in records)
            {
                InsertAudit(transaction, record);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One transaction committed with <c>synchronous=NORMAL</c> (no fsync of its own; see <see cref="AppendAuditsAsync"/>).</summary>
    private async ValueTask WriteWithoutFsyncAsync(Action<SqliteTransaction> write, CancellationToken cancellationToken)
    {
        if (_writer is null)
        {
            throw new InvalidOperationException($"The state database '{DatabasePath}' was opened read-only.");
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // Outside any transaction: SQLite applies the setting to the commits that follow it.
            Scalar(_writer, "PRAGMA synchronous = NORMAL");
            try
            {
                using var transaction = _writer.BeginTransaction(deferred: false);
                write(transaction);
                transaction.Commit();
                AfterCommit();
            }
            finally
            {
                Scalar(_writer, "PRAGMA synchronous = FULL");
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The records matching <paramref name="query"/>, newest first (by time, then by id).</summary>
    public async ValueTask<IReadOnlyList<AuditRecord>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        var key = string.IsNullOrEmpty(query.Key) ? null : query.Key;
        var shape = (query.Since is null ? 0 : 1) | (key is null ? 0 : 2) | (query.Event is null ? 0 : 4);

        using var scope = await EnterReadAsync(cancellationToken).ConfigureAwait(false);
        if (!_auditQueries.TryGetValue(shape, out var statement))
        {
            statement = BuildAuditQuery(_reader, shape);
            _auditQueries.Add(shape, statement);
        }

        var values = new List<object?>(4);
        if (query.Since is { } since)
        {
            values.Add(UnixMs.From(since));
        }

        if (key is not null)
        {
            values.Add(key);
        }

        if (query.Event is not null)
        {
            values.Add(query.Event);
        }

        values.Add(query.Limit);

        return ReadAudit(statement.Bind(null, [.. values]), Math.Min(query.Limit, 256), cancellationToken);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> records with an id above <paramref name="afterId"/>, oldest first: the audit trail
    /// read as an outbox (a fleet agent reports every row, in order, from the last one acknowledged).
    /// </summary>
    public async ValueTask<IReadOnlyList<AuditRecord>> ReadAuditAfterAsync(long afterId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        using var scope = await EnterReadAsync(cancellationToken).ConfigureAwait(false);
        _auditAfter ??= new PreparedStatement(_reader, $"SELECT {AuditColumns} FROM audit WHERE id > $after ORDER BY id LIMIT $limit", "$after", "$limit");
        return ReadAudit(_auditAfter.Bind(null, afterId, limit), Math.Min(limit, 256), cancellationToken);
    }

    private static List<AuditRecord> ReadAudit(SqliteCommand command, int capacity, CancellationToken cancellationToken)
    {
        var records = new List<AuditRecord>(capacity);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            records.Add(new AuditRecord(
                reader.GetInt64(0),
                UnixMs.To(reader.GetInt64(1)),
                reader.GetString(2),
                NullableString(reader, 3),
                reader.GetString(4),
                NullableString(reader, 5),
                NullableString(reader, 6),
                KeysJson.Decode(reader.GetString(7)),
                reader.IsDBNull(8) ? null : reader.GetInt32(8),
                reader.GetInt64(9),
                NullableString(reader, 10),
                NullableString(reader, 11),
                NullableString(reader, 12),
                NullableString(reader, 13)));
        }

        return records;
    }

    /// <summary>Deletes audit records older than <paramref name="olderThan"/> (retention); returns how many.</summary>
    public async ValueTask<int> PruneAuditAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var pruned = _write!.PruneAudit.Bind(scope.Transaction, UnixMs.From(olderThan)).ExecuteNonQuery();
        scope.Commit();
        return pruned;
    }

    // ---- Input checkpoints and replay ---------------------------------------------------------------------------

    /// <summary>The checkpoint of <paramref name="source"/>, or null when it has never been read.</summary>
    public async ValueTask<SourceCheckpoint?> GetCheckpointAsync(string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var scope = await EnterReadAsync(cancellationToken).ConfigureAwait(false);
        using var reader = _read.GetCheckpoint.Bind(null, source).ExecuteReader();
        return reader.Read() ? new SourceCheckpoint(source, reader.GetString(0), reader.GetInt64(1)) : null;
    }

    /// <summary>Creates or replaces the checkpoint of <see cref="SourceCheckpoint.Source"/>.</summary>
    public async ValueTask SetCheckpointAsync(SourceCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(checkpoint.Source);
        ArgumentNullException.ThrowIfNull(checkpoint.FileIdentity);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        _write!.UpsertCheckpoint.Bind(scope.Transaction, checkpoint.Source, checkpoint.FileIdentity, checkpoint.Offset, Now()).ExecuteNonQuery();
        scope.Commit();
    }

    /// <summary>
    /// Saves a checkpoint whose loss costs only repeated work that is recognised as such (an outbox position: rows sent
    /// again carry the same ids), so without a flush of its own; WAL still keeps it through a process crash.
    /// </summary>
    public ValueTask SetCheckpointLazilyAsync(SourceCheckpoint checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(checkpoint.Source);
        ArgumentNullException.ThrowIfNull(checkpoint.FileIdentity);
        var now = Now();
        return WriteWithoutFsyncAsync(
            transaction => _write!.UpsertCheckpoint.Bind(transaction, checkpoint.Source, checkpoint.FileIdentity, checkpoint.Offset, now).ExecuteNonQuery(),
            cancellationToken);
    }

    /// <summary>
    /// Records that the decision <paramref name="decisionKey"/> (e.g. <c>alertId|arName|target</c>) was taken.
    /// Returns false when it already was: replayed input must not act twice.
    /// </summary>
    public async ValueTask<bool> TryRecordDecisionAsync(string decisionKey, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decisionKey);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var recorded = _write!.InsertDecision.Bind(scope.Transaction, decisionKey, UnixMs.From(at)).ExecuteNonQuery() > 0;
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
        return WriteWithoutFsyncAsync(transaction => InsertDecision(transaction, decisionKey, at), cancellationToken);
    }

    private void InsertDecision(SqliteTransaction transaction, string? decisionKey, DateTimeOffset at)
    {
        if (decisionKey is not null)
        {
            _write!.InsertDecision.Bind(transaction, decisionKey, UnixMs.From(at)).ExecuteNonQuery();
        }
    }

    /// <summary>True when <paramref name="decisionKey"/> was recorded: its input was fully handled before a restart.</summary>
    public async ValueTask<bool> IsDecidedAsync(string decisionKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(decisionKey);
        using var scope = await EnterReadAsync(cancellationToken).ConfigureAwait(false);
        using var reader = _read.IsDecided.Bind(null, decisionKey).ExecuteReader();
        return reader.Read();
    }

    /// <summary>Forgets decisions recorded before <paramref name="olderThan"/> (older than any input that can replay); returns how many.</summary>
    public async ValueTask<int> PruneDecisionsAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        var pruned = _write!.PruneDecisions.Bind(scope.Transaction, UnixMs.From(olderThan)).ExecuteNonQuery();
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
        Validate(entry);
        if (counter is not null)
        {
            Validate(counter);
        }

        Validate(audit);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        UpsertEntry(scope.Transaction, entry, EntryStatus.Pending);
        FaultHook?.Invoke("add-intent:entry");
        if (counter is not null)
        {
            SetOffender(scope.Transaction, counter);
            FaultHook?.Invoke("add-intent:counter");
        }

        var id = InsertAudit(scope.Transaction, audit);
        FaultHook?.Invoke("add-intent:audit");
        InsertDecision(scope.Transaction, decisionKey, audit.At);
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
            Validate(counter);
        }

        Validate(audit);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        if (!Refresh(scope.Transaction, rkey, addedAt, durationSeconds, offense))
        {
            return null;
        }

        FaultHook?.Invoke("abort:entry");
        if (counter is not null)
        {
            SetOffender(scope.Transaction, counter);
            FaultHook?.Invoke("abort:counter");
        }

        var id = InsertAudit(scope.Transaction, audit);
        InsertDecision(scope.Transaction, decisionKey, audit.At);
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
        Validate(audit);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        _write!.SetStatus.Bind(scope.Transaction, StatusText(status), Now(), rkey).ExecuteNonQuery();
        FaultHook?.Invoke("status:entry");
        var id = InsertAudit(scope.Transaction, audit);
        scope.Commit();
        return id;
    }

    /// <summary>Removes the entry and appends the audit record in one transaction; returns the audit record's id.</summary>
    public async ValueTask<long> CompleteDeleteAsync(string rkey, AuditRecord audit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rkey);
        Validate(audit);
        using var scope = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        RemoveEntry(scope.Transaction, rkey);
        FaultHook?.Invoke("delete:entry");
        var id = InsertAudit(scope.Transaction, audit);
        FaultHook?.Invoke("delete:audit");
        scope.Commit();
        return id;
    }

    /// <summary>Waits for running operations, then closes the connections; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0)
        {
            return;
        }

        await _writeLock.WaitAsync().ConfigureAwait(false);
        await _readLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            _write?.Dispose();
            _read.Dispose();
            _auditAfter?.Dispose();
            foreach (var statement in _auditQueries.Values)
            {
                statement.Dispose();
            }

            // The reader closes first so the writer is the last connection: the last one out checkpoints the WAL
            // into the database and removes -wal and -shm, which a read-only connection cannot do.
            _reader.Dispose();
            if (_writer is not null)
            {
                try
                {
                    Scalar(_writer, "PRAGMA optimize");
                }
                catch (SqliteException)
                {
                    // Only statistics for the query planner; closing matters more.
                }

                _writer.Dispose();
            }
        }
        finally
        {
            // Released, not disposed: callers still waiting must wake up and see ObjectDisposedException.
            _readLock.Release();
            _writeLock.Release();
        }
    }

    // ---- Internals ----------------------------------------------------------------------------------------------


    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static Exception Wrap(Exception e, string path) => StateFiles.WrapOpenFailure(e, "state database", path);

    private async ValueTask<WriteScope> BeginWriteAsync(CancellationToken cancellationToken)
    {
        if (_writer is null)
        {
            throw new InvalidOperationException($"The state database '{DatabasePath}' was opened read-only.");
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            cancellationToken.ThrowIfCancellationRequested();
            // Immediate: take the write lock now, waiting out other processes via busy_timeout. A deferred
            // transaction that read first could fail to upgrade with SQLITE_BUSY, which no timeout retries.
            return new WriteScope(_writeLock, _writer.BeginTransaction(deferred: false), AfterCommit);
        }
        catch
        {
            _writeLock.Release();
            throw;
        }
    }

    private async ValueTask<ReadScope> EnterReadAsync(CancellationToken cancellationToken)
    {
        await _readLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_disposed)
        {
            _readLock.Release();
            throw new ObjectDisposedException(GetType().FullName);
        }

        return new ReadScope(_readLock);
    }

    private long Now() => UnixMs.From(_timeProvider.GetUtcNow());

    private void UpsertEntry(SqliteTransaction transaction, TimeoutEntry entry, EntryStatus status)
    {
        var added = UnixMs.From(entry.AddedAt);
        _write!.UpsertTimeout.Bind(
            transaction,
            entry.RKey,
            entry.Program,
            entry.DeleteMessage,
            added,
            entry.DurationSeconds,
            UnixMs.AddSeconds(added, entry.DurationSeconds),
            entry.ArName,
            entry.AlertId,
            KeysJson.Encode(entry.Keys),
            StatusText(status),
            entry.Offense,
            Now()).ExecuteNonQuery();

        _write.DeleteKeysOf.Bind(transaction, entry.RKey).ExecuteNonQuery();
        foreach (var key in entry.Keys)
        {
            _write.InsertKey.Bind(transaction, key, entry.RKey).ExecuteNonQuery();
        }
    }

    private bool Refresh(SqliteTransaction transaction, string rkey, DateTimeOffset addedAt, long durationSeconds, int offense)
    {
        var added = UnixMs.From(addedAt);
        return _write!.RefreshTimeout.Bind(transaction, added, durationSeconds, UnixMs.AddSeconds(added, durationSeconds), offense, Now(), rkey)
            .ExecuteNonQuery() > 0;
    }

    private bool RemoveEntry(SqliteTransaction transaction, string rkey)
    {
        var removed = _write!.DeleteTimeout.Bind(transaction, rkey).ExecuteNonQuery() > 0;
        _write.DeleteKeysOf.Bind(transaction, rkey).ExecuteNonQuery();
        return removed;
    }

    private void SetOffender(SqliteTransaction transaction, OffenderCounter counter) =>
        _write!.UpsertOffender.Bind(transaction, counter.RKey, counter.Count, UnixMs.From(counter.LastSeen)).ExecuteNonQuery();

    /// <summary>
    /// Raised after a commit that added audit rows (on the writing thread; handlers must be quick and must not throw):
    /// readers of the trail as an outbox look then instead of polling.
    /// </summary>
    public event Action? AuditAppended;

    private void AfterCommit()
    {
        if (Interlocked.Exchange(ref _auditPending, 0) != 0)
        {
            AuditAppended?.Invoke();
        }
    }

    private long InsertAudit(SqliteTransaction transaction, AuditRecord record)
    {
        Volatile.Write(ref _auditPending, 1);
        var id = _write!.InsertAudit.Bind(
            transaction,
            UnixMs.From(record.At),
            record.Event,
            record.RKey,
            record.Program,
            record.ArName,
            record.AlertId,
            KeysJson.Encode(record.Keys),
            record.ExitCode,
            record.DurationMs,
            record.Stdout,
            record.Stderr,
            record.Detail,
            record.Source).ExecuteScalar();
        return Convert.ToInt64(id, CultureInfo.InvariantCulture);
    }

    private static List<TimeoutEntry> ReadEntries(SqliteCommand command, int capacity, CancellationToken cancellationToken)
    {
        var entries = new List<TimeoutEntry>(capacity);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if ((entries.Count & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            entries.Add(ReadEntry(reader));
        }

        return entries;
    }

    private static TimeoutEntry ReadEntry(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetFieldValue<byte[]>(2),
        UnixMs.To(reader.GetInt64(3)),
        reader.GetInt64(4),
        reader.GetString(5),
        NullableString(reader, 6),
        KeysJson.Decode(reader.GetString(7)),
        ParseStatus(reader.GetString(8)),
        reader.GetInt32(9));

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    // Stored as words rather than numbers so the file reads plainly in the sqlite3 shell.
    private static string StatusText(EntryStatus status) => status switch
    {
        EntryStatus.Pending => "pending",
        EntryStatus.Active => "active",
        EntryStatus.Deleting => "deleting",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown entry status."),
    };

    private static EntryStatus ParseStatus(string text) => text switch
    {
        "pending" => EntryStatus.Pending,
        "active" => EntryStatus.Active,
        "deleting" => EntryStatus.Deleting,
        _ => throw new InvalidDataException($"Unknown entry status '{text}' in the state database."),
    };

    private static PreparedStatement BuildAuditQuery(SqliteConnection connection, int shape)
    {
        var sql = new StringBuilder("SELECT ").Append(AuditColumns).Append(" FROM audit");
        var parameters = new List<string>(4);
        var conditions = new List<string>(3);
        if ((shape & 1) != 0)
        {
            conditions.Add("at >= $since");
            parameters.Add("$since");
        }

        if ((shape & 2) != 0)
        {
            // instr covers both "equals" and "contains" for the rkey; keys must match whole.
            conditions.Add("(instr(rkey, $key) > 0 OR EXISTS (SELECT 1 FROM json_each(audit.keys) WHERE json_each.value = $key))");
            parameters.Add("$key");
        }

        if ((shape & 4) != 0)
        {
            conditions.Add("event = $event");
            parameters.Add("$event");
        }

        if (conditions.Count > 0)
        {
            sql.Append(" WHERE ").AppendJoin(" AND ", conditions);
        }

        sql.Append(" ORDER BY at DESC, id DESC LIMIT $limit");
        parameters.Add("$limit");
        return new PreparedStatement(connection, sql.ToString(), [.. parameters]);
    }

    private static void Validate(TimeoutEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(entry.RKey, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.Program, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.DeleteMessage, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.ArName, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.Keys, nameof(entry));
    }

    private static void Validate(OffenderCounter counter)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentNullException.ThrowIfNull(counter.RKey, nameof(counter));
    }

    private static void Validate(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(record.Event, nameof(record));
        ArgumentNullException.ThrowIfNull(record.Program, nameof(record));
        ArgumentNullException.ThrowIfNull(record.Keys, nameof(record));
    }

    /// <summary>The write lock plus the transaction of one logical operation; disposing rolls back unless committed.</summary>
    private sealed class WriteScope(SemaphoreSlim gate, SqliteTransaction transaction, Action afterCommit) : IDisposable
    {
        public SqliteTransaction Transaction => transaction;

        public void Commit()
        {
            transaction.Commit();
            afterCommit();
        }

        public void Dispose()
        {
            try
            {
                transaction.Dispose();
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private readonly struct ReadScope(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }

    private sealed class WriteStatements(SqliteConnection c) : IDisposable
    {
        public readonly PreparedStatement UpsertTimeout = new(
            c,
            """
            INSERT INTO timeouts (rkey, program, delete_message, added_at, duration_s, expires_at, ar_name, alert_id, keys, status, offense, updated_at)
            VALUES ($rkey, $program, $message, $added, $duration, $expires, $ar, $alert, $keys, $status, $offense, $now)
            ON CONFLICT (rkey) DO UPDATE SET
                program = excluded.program, delete_message = excluded.delete_message, added_at = excluded.added_at,
                duration_s = excluded.duration_s, expires_at = excluded.expires_at, ar_name = excluded.ar_name,
                alert_id = excluded.alert_id, keys = excluded.keys, status = excluded.status, offense = excluded.offense,
                updated_at = excluded.updated_at
            """,
            "$rkey", "$program", "$message", "$added", "$duration", "$expires", "$ar", "$alert", "$keys", "$status", "$offense", "$now");

        public readonly PreparedStatement DeleteKeysOf = new(c, "DELETE FROM timeout_keys WHERE rkey = $rkey", "$rkey");

        // OR IGNORE: a program may report the same key twice; the index needs it once.
        public readonly PreparedStatement InsertKey = new(c, "INSERT OR IGNORE INTO timeout_keys (key, rkey) VALUES ($key, $rkey)", "$key", "$rkey");

        public readonly PreparedStatement RefreshTimeout = new(
            c,
            "UPDATE timeouts SET added_at = $added, duration_s = $duration, expires_at = $expires, offense = $offense, updated_at = $now WHERE rkey = $rkey",
            "$added", "$duration", "$expires", "$offense", "$now", "$rkey");

        public readonly PreparedStatement SetStatus = new(c, "UPDATE timeouts SET status = $status, updated_at = $now WHERE rkey = $rkey", "$status", "$now", "$rkey");

        public readonly PreparedStatement MarkDelivered = new(
            c, "UPDATE timeouts SET status = 'active', updated_at = $now WHERE rkey = $rkey AND status = 'pending'", "$now", "$rkey");

        public readonly PreparedStatement DeleteTimeout = new(c, "DELETE FROM timeouts WHERE rkey = $rkey", "$rkey");

        public readonly PreparedStatement UpsertOffender = new(
            c,
            "INSERT INTO offenders (rkey, count, last_seen) VALUES ($rkey, $count, $seen) ON CONFLICT (rkey) DO UPDATE SET count = excluded.count, last_seen = excluded.last_seen",
            "$rkey", "$count", "$seen");

        public readonly PreparedStatement DeleteOffender = new(c, "DELETE FROM offenders WHERE rkey = $rkey", "$rkey");

        public readonly PreparedStatement ForgiveOffenders = new(c, "DELETE FROM offenders WHERE last_seen < $quiet", "$quiet");

        public readonly PreparedStatement InsertAudit = new(
            c,
            """
            INSERT INTO audit (at, event, rkey, program, ar_name, alert_id, keys, exit_code, duration_ms, stdout, stderr, detail, source)
            VALUES ($at, $event, $rkey, $program, $ar, $alert, $keys, $exit, $duration, $stdout, $stderr, $detail, $source)
            RETURNING id
            """,
            "$at", "$event", "$rkey", "$program", "$ar", "$alert", "$keys", "$exit", "$duration", "$stdout", "$stderr", "$detail", "$source");

        public readonly PreparedStatement PruneAudit = new(c, "DELETE FROM audit WHERE at < $before", "$before");

        public readonly PreparedStatement UpsertCheckpoint = new(
            c,
            "INSERT INTO checkpoints (source, file_identity, \"offset\", updated_at) VALUES ($source, $identity, $offset, $now) ON CONFLICT (source) DO UPDATE SET file_identity = excluded.file_identity, \"offset\" = excluded.\"offset\", updated_at = excluded.updated_at",
            "$source", "$identity", "$offset", "$now");

        public readonly PreparedStatement InsertDecision = new(c, "INSERT INTO decisions (decision_key, at) VALUES ($key, $at) ON CONFLICT (decision_key) DO NOTHING", "$key", "$at");

        public readonly PreparedStatement PruneDecisions = new(c, "DELETE FROM decisions WHERE at < $before", "$before");

        public void Dispose()
        {
            foreach (var statement in new[]
            {
                UpsertTimeout, DeleteKeysOf, InsertKey, RefreshTimeout, SetStatus, MarkDelivered, DeleteTimeout, UpsertOffender, DeleteOffender,
                ForgiveOffenders, InsertAudit, PruneAudit, UpsertCheckpoint, InsertDecision, PruneDecisions,
            })
            {
                statement.Dispose();
            }
        }
    }

    private sealed class ReadStatements(SqliteConnection c) : IDisposable
    {
        public readonly PreparedStatement GetTimeout = new(c, $"SELECT {EntryColumns} FROM timeouts WHERE rkey = $rkey", "$rkey");

        public readonly PreparedStatement ListTimeouts = new(c, $"SELECT {EntryColumns} FROM timeouts ORDER BY expires_at, rkey");

        public readonly PreparedStatement CountTimeouts = new(c, "SELECT count(*) FROM timeouts");

        public readonly PreparedStatement ListSchedule = new(c, "SELECT rkey, status, expires_at FROM timeouts");

        public readonly PreparedStatement FindTimeoutsByKey = new(
            c,
            $"SELECT {EntryColumns} FROM timeouts WHERE rkey = $key OR rkey IN (SELECT rkey FROM timeout_keys WHERE key = $key) ORDER BY expires_at, rkey",
            "$key");

        public readonly PreparedStatement GetOffender = new(c, "SELECT count, last_seen FROM offenders WHERE rkey = $rkey", "$rkey");

        public readonly PreparedStatement GetCheckpoint = new(c, "SELECT file_identity, \"offset\" FROM checkpoints WHERE source = $source", "$source");

        public readonly PreparedStatement IsDecided = new(c, "SELECT 1 FROM decisions WHERE decision_key = $key", "$key");

        public void Dispose()
        {
            foreach (var statement in new[] { GetTimeout, ListTimeouts, CountTimeouts, ListSchedule, FindTimeoutsByKey, GetOffender, GetCheckpoint, IsDecided })
            {
                statement.Dispose();
            }
        }
    }
}
