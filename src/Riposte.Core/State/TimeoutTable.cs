using System.Globalization;
using Microsoft.Data.Sqlite;
using static Riposte.State.SqliteValues;

namespace Riposte.State;

/// <summary>
/// The timeout list of <see cref="SqliteStateStore"/>: the <c>timeouts</c> rows (one per active response) and the
/// <c>timeout_keys</c> index beside them. Its methods run inside the store's scopes: reads under the read lock, writes
/// in the caller's transaction, so several concerns can share one.
/// </summary>
internal sealed class TimeoutTable : IDisposable
{
    private const string EntryColumns = "rkey, program, delete_message, added_at, duration_s, ar_name, alert_id, keys, status, offense";

    private readonly WriteStatements? _write;
    private readonly ReadStatements _read;
    private readonly TimeProvider _timeProvider;

    public TimeoutTable(StateDatabase database, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _write = database.Writer is null ? null : new WriteStatements(database.Writer);
        _read = new ReadStatements(database.Reader);
        database.Own(this);
    }

    // ---- Reads (under the read lock) ----------------------------------------------------------------------------

    public TimeoutEntry? Get(string rkey)
    {
        using var reader = _read.GetTimeout.Bind(null, rkey).ExecuteReader();
        return reader.Read() ? ReadEntry(reader) : null;
    }

    public List<TimeoutEntry> List(CancellationToken cancellationToken)
    {
        var count = Count();
        return ReadEntries(_read.ListTimeouts.Bind(null), count, cancellationToken);
    }

    public List<ScheduledTimeout> ListSchedule()
    {
        var schedule = new List<ScheduledTimeout>(Count());
        using var reader = _read.ListSchedule.Bind(null).ExecuteReader();
        while (reader.Read())
        {
            schedule.Add(new ScheduledTimeout(reader.GetString(0), ParseStatus(reader.GetString(1)), UnixMs.To(reader.GetInt64(2))));
        }

        return schedule;
    }

    public List<TimeoutEntry> FindByKey(string key, CancellationToken cancellationToken) => ReadEntries(_read.FindTimeoutsByKey.Bind(null, key), 0, cancellationToken);

    public int Count() => Convert.ToInt32(_read.CountTimeouts.Bind(null).ExecuteScalar(), CultureInfo.InvariantCulture);

    // ---- Writes (in the caller's transaction) --------------------------------------------------------------------

    public void Upsert(SqliteTransaction transaction, TimeoutEntry entry, EntryStatus status)
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

    public bool Refresh(SqliteTransaction transaction, string rkey, DateTimeOffset addedAt, long durationSeconds, int offense)
    {
        var added = UnixMs.From(addedAt);
        return _write!.RefreshTimeout.Bind(transaction, added, durationSeconds, UnixMs.AddSeconds(added, durationSeconds), offense, Now(), rkey)
            .ExecuteNonQuery() > 0;
    }

    public bool SetStatus(SqliteTransaction transaction, string rkey, EntryStatus status) =>
        _write!.SetStatus.Bind(transaction, StatusText(status), Now(), rkey).ExecuteNonQuery() > 0;

    public void MarkDelivered(SqliteTransaction transaction, string rkey) => _write!.MarkDelivered.Bind(transaction, Now(), rkey).ExecuteNonQuery();

    public bool Remove(SqliteTransaction transaction, string rkey)
    {
        var removed = _write!.DeleteTimeout.Bind(transaction, rkey).ExecuteNonQuery() > 0;
        _write.DeleteKeysOf.Bind(transaction, rkey).ExecuteNonQuery();
        return removed;
    }

    public static void Validate(TimeoutEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(entry.RKey, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.Program, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.DeleteMessage, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.ArName, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.Keys, nameof(entry));
    }

    public void Dispose()
    {
        _write?.Dispose();
        _read.Dispose();
    }

    private long Now() => UnixMs.From(_timeProvider.GetUtcNow());

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

        public void Dispose()
        {
            foreach (var statement in new[] { UpsertTimeout, DeleteKeysOf, InsertKey, RefreshTimeout, SetStatus, MarkDelivered, DeleteTimeout })
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

        public void Dispose()
        {
            foreach (var statement in new[] { GetTimeout, ListTimeouts, CountTimeouts, ListSchedule, FindTimeoutsByKey })
            {
                statement.Dispose();
            }
        }
    }
}
