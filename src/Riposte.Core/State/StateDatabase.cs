using Microsoft.Data.Sqlite;

namespace Riposte.State;

/// <summary>
/// One of Riposte's SQLite files opened the way they all are: mode 0600 from creation, WAL, <c>synchronous=FULL</c>,
/// one writer connection and one read-only connection, each behind its own lock, and a disposal that waits for both.
/// The stores (<see cref="SqliteStateStore"/>, the fleet view) hold one and keep their SQL to themselves.
/// </summary>
/// <remarks>
/// Writes are serialised on the writer, each logical operation in one immediate transaction (<see cref="BeginWriteAsync"/>);
/// reads take the read lock (<see cref="EnterReadAsync"/>) and use <see cref="Reader"/>, so a long listing never delays
/// a write.
/// </remarks>
internal sealed class StateDatabase : IAsyncDisposable
{
    private readonly StateDatabaseKind _kind;
    private readonly SqliteConnection? _writer;
    private readonly SqliteConnection _reader;
    private readonly List<IDisposable> _owned = [];
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _readLock = new(1, 1);
    private Action? _afterCommit;
    private volatile bool _disposed;
    private int _disposing;

    private StateDatabase(string path, StateDatabaseKind kind, SqliteConnection? writer, SqliteConnection reader)
    {
        Path = path;
        _kind = kind;
        _writer = writer;
        _reader = reader;
    }

    /// <summary>The absolute path of the database file.</summary>
    public string Path { get; }

    /// <summary>True when opened with <see cref="OpenReadOnly"/>; writes then throw.</summary>
    public bool IsReadOnly => _writer is null;

    /// <summary>The writer, or null when read-only; only for preparing statements (use it inside a <see cref="WriteScope"/>).</summary>
    public SqliteConnection? Writer => _writer;

    /// <summary>The read-only connection; use it only while holding <see cref="EnterReadAsync"/>.</summary>
    public SqliteConnection Reader => _reader;

    /// <summary>
    /// Opens <paramref name="fullPath"/> for reading and writing, creating it (mode 0600, missing directories 0700) and
    /// migrating its schema; <paramref name="create"/> builds the store on it, and what it throws is reported as an open
    /// failure too (preparing statements can fail).
    /// </summary>
    public static T Open<T>(string fullPath, StateDatabaseKind kind, Func<StateDatabase, T> create)
    {
        SqliteConnection? writer = null;
        SqliteConnection? reader = null;
        try
        {
            kind.RefuseSymlinks(fullPath);
            StateFiles.CheckAccess(fullPath, write: true);
            StateFiles.EnsureDirectory(System.IO.Path.GetDirectoryName(fullPath) ?? string.Empty);
            // O_CREAT|O_EXCL with mode 0600: never follows a link planted after the check above, never world-readable.
            StateFiles.CreateDatabaseFile(fullPath);
            writer = StateFiles.Connect(fullPath, SqliteOpenMode.ReadWrite);
            // Identify the file before changing anything in it (the journal mode is stored in the file).
            kind.CheckSchema(writer, null, fullPath, true);
            var journalMode = Scalar(writer, "PRAGMA journal_mode = WAL") as string;
            if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new StateStoreException($"{kind.Title} '{fullPath}' could not be switched to WAL mode (journal_mode is '{journalMode}').");
            }

            Scalar(writer, "PRAGMA synchronous = FULL");
            // Keeps a large burst from leaving a large -wal behind after the checkpoint.
            Scalar(writer, "PRAGMA journal_size_limit = 67108864");
            foreach (var pragma in kind.WriterPragmas)
            {
                Scalar(writer, pragma);
            }

            kind.Migrate(writer, fullPath);
            StateFiles.AlignSidecarModes(fullPath);

            reader = StateFiles.Connect(fullPath, SqliteOpenMode.ReadOnly);
            return create(new StateDatabase(fullPath, kind, writer, reader));
        }
        catch (Exception e)
        {
            reader?.Dispose();
            writer?.Dispose();
            throw StateFiles.WrapOpenFailure(e, kind.Role, fullPath);
        }
    }

    /// <summary>
    /// Opens an existing <paramref name="fullPath"/> read-only, for CLI readers that run while its owner writes it;
    /// <paramref name="create"/> builds the store on it.
    /// </summary>
    public static T OpenReadOnly<T>(string fullPath, StateDatabaseKind kind, Func<StateDatabase, T> create)
    {
        kind.RefuseSymlinks(fullPath);
        if (!StateFiles.CheckAccess(fullPath, write: false))
        {
            throw new StateStoreException(kind.Missing(fullPath));
        }

        SqliteConnection? reader = null;
        try
        {
            reader = StateFiles.Connect(fullPath, SqliteOpenMode.ReadOnly);
            kind.CheckSchema(reader, null, fullPath, false);
            return create(new StateDatabase(fullPath, kind, null, reader));
        }
        catch (Exception e)
        {
            reader?.Dispose();
            throw StateFiles.WrapOpenFailure(e, kind.Role, fullPath);
        }
    }

    /// <summary>
    /// Makes <paramref name="owned"/> (a store's prepared statements) disposed with the database, under both locks and
    /// before the connections close. Call it while building the store, before any other thread has it.
    /// </summary>
    public void Own(IDisposable owned) => _owned.Add(owned);

    /// <summary>Runs after every commit of a <see cref="WriteScope"/>, on the writing thread, still under the write lock. Set it once, while building the store.</summary>
    public void OnCommit(Action afterCommit) => _afterCommit = afterCommit;

    /// <summary>
    /// Takes the write lock and begins one immediate transaction: one logical operation. Disposing the scope rolls back
    /// unless <see cref="WriteScope.Commit"/> was called.
    /// </summary>
    /// <param name="fsync">False commits this transaction with <c>synchronous=NORMAL</c>: no fsync of its own. In WAL
    /// mode it survives a crash of the process, and reaches the disk with the next fsynced commit or checkpoint.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock.</param>
    /// <param name="recheckCancellation">Whether a cancellation that comes just as the lock is taken still stops the write.
    /// The state store's unsynced writes have never checked (once they hold the lock they run); every other write does.</param>
    /// <exception cref="InvalidOperationException">The database was opened read-only.</exception>
    public async ValueTask<WriteScope> BeginWriteAsync(bool fsync, CancellationToken cancellationToken, bool recheckCancellation = true)
    {
        if (_writer is null)
        {
            throw new InvalidOperationException($"The {_kind.Role} '{Path}' was opened read-only.");
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        var unsynced = false;
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, _kind.Owner);
            if (recheckCancellation)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (!fsync)
            {
                // Outside any transaction: SQLite applies the setting to the commits that follow it.
                Scalar(_writer, "PRAGMA synchronous = NORMAL");
                unsynced = true;
            }

            // Immediate: take the write lock now, waiting out other processes via busy_timeout. A deferred
            // transaction that read first could fail to upgrade with SQLITE_BUSY, which no timeout retries.
            return new WriteScope(this, _writer.BeginTransaction(deferred: false), unsynced);
        }
        catch
        {
            try
            {
                if (unsynced)
                {
                    Scalar(_writer, "PRAGMA synchronous = FULL");
                }
            }
            finally
            {
                _writeLock.Release();
            }

            throw;
        }
    }

    /// <summary>Takes the read lock; use <see cref="Reader"/> until the scope is disposed.</summary>
    public async ValueTask<ReadScope> EnterReadAsync(CancellationToken cancellationToken)
    {
        await _readLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_disposed)
        {
            _readLock.Release();
            throw new ObjectDisposedException(_kind.Owner.FullName);
        }

        return new ReadScope(_readLock);
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
            foreach (var owned in _owned)
            {
                owned.Dispose();
            }

            // The reader closes first so the writer is the last connection: the last one out checkpoints the WAL
            // into the database and removes -wal and -shm, which a read-only connection cannot do.
            _reader.Dispose();
            if (_writer is not null)
            {
                if (_kind.OptimizeOnClose)
                {
                    try
                    {
                        Scalar(_writer, "PRAGMA optimize");
                    }
                    catch (SqliteException)
                    {
                        // Only statistics for the query planner; closing matters more.
                    }
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

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>The write lock plus the transaction of one logical operation; disposing rolls back unless committed.</summary>
    internal sealed class WriteScope : IDisposable
    {
        private readonly StateDatabase _database;
        private readonly bool _unsynced;

        internal WriteScope(StateDatabase database, SqliteTransaction transaction, bool unsynced)
        {
            _database = database;
            Transaction = transaction;
            _unsynced = unsynced;
        }

        public SqliteTransaction Transaction { get; }

        public void Commit()
        {
            Transaction.Commit();
            _database._afterCommit?.Invoke();
        }

        public void Dispose()
        {
            try
            {
                Transaction.Dispose();
            }
            finally
            {
                try
                {
                    if (_unsynced)
                    {
                        Scalar(_database._writer!, "PRAGMA synchronous = FULL");
                    }
                }
                finally
                {
                    _database._writeLock.Release();
                }
            }
        }
    }

    /// <summary>The read lock, held until disposed.</summary>
    internal readonly struct ReadScope(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
