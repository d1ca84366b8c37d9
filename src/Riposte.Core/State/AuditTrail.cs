using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using static Riposte.State.SqliteValues;

namespace Riposte.State;

/// <summary>
/// The audit trail of <see cref="SqliteStateStore"/> (<c>audit</c>): appends in the caller's transaction, queries and
/// the outbox read under the store's read lock, and the note that a commit added rows (<see cref="TakeAppended"/>)
/// behind the store's <see cref="SqliteStateStore.AuditAppended"/> event.
/// </summary>
internal sealed class AuditTrail : IDisposable
{
    private const string AuditColumns = "id, at, event, rkey, program, ar_name, alert_id, keys, exit_code, duration_ms, stdout, stderr, detail, source, rule_id, rule_level";

    private readonly SqliteConnection _reader;
    private readonly WriteStatements? _write;
    private readonly Dictionary<int, PreparedStatement> _auditQueries = [];
    private PreparedStatement? _auditAfter;
    private PreparedStatement? _latestId;
    private int _auditPending;

    public AuditTrail(StateDatabase database)
    {
        _reader = database.Reader;
        _write = database.Writer is null ? null : new WriteStatements(database.Writer);
        database.Own(this);
    }

    /// <summary>True once after a transaction that appended rows (call it after the commit).</summary>
    public bool TakeAppended() => Interlocked.Exchange(ref _auditPending, 0) != 0;

    public long Insert(SqliteTransaction transaction, AuditRecord record)
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
            record.Source,
            record.RuleId,
            record.RuleLevel).ExecuteScalar();
        return Convert.ToInt64(id, CultureInfo.InvariantCulture);
    }

    public int Prune(SqliteTransaction transaction, DateTimeOffset olderThan) => _write!.PruneAudit.Bind(transaction, UnixMs.From(olderThan)).ExecuteNonQuery();

    /// <summary>Under the read lock: the records matching <paramref name="query"/> (already validated), newest first.</summary>
    public List<AuditRecord> Query(AuditQuery query, CancellationToken cancellationToken)
    {
        var key = string.IsNullOrEmpty(query.Key) ? null : query.Key;
        var shape = (query.Since is null ? 0 : 1) | (key is null ? 0 : 2) | (query.Event is null ? 0 : 4);
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

    /// <summary>Under the read lock: up to <paramref name="limit"/> records with an id above <paramref name="afterId"/>, oldest first.</summary>
    public List<AuditRecord> ReadAfter(long afterId, int limit, CancellationToken cancellationToken)
    {
        _auditAfter ??= new PreparedStatement(_reader, $"SELECT {AuditColumns} FROM audit WHERE id > $after ORDER BY id LIMIT $limit", "$after", "$limit");
        return ReadAudit(_auditAfter.Bind(null, afterId, limit), Math.Min(limit, 256), cancellationToken);
    }

    /// <summary>Under the read lock: the highest id ever given (ids are not reused, so pruning does not lower it), 0 for none.</summary>
    public long LatestId()
    {
        _latestId ??= new PreparedStatement(_reader, "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0)");
        return Convert.ToInt64(_latestId.Bind(null).ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public static void Validate(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(record.Event, nameof(record));
        ArgumentNullException.ThrowIfNull(record.Program, nameof(record));
        ArgumentNullException.ThrowIfNull(record.Keys, nameof(record));
    }

    public void Dispose()
    {
        _write?.Dispose();
        _auditAfter?.Dispose();
        _latestId?.Dispose();
        foreach (var statement in _auditQueries.Values)
        {
            statement.Dispose();
        }
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
                NullableString(reader, 13),
                NullableString(reader, 14),
                reader.IsDBNull(15) ? null : reader.GetInt32(15)));
        }

        return records;
    }

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

    private sealed class WriteStatements(SqliteConnection c) : IDisposable
    {
        public readonly PreparedStatement InsertAudit = new(
            c,
            """
            INSERT INTO audit (at, event, rkey, program, ar_name, alert_id, keys, exit_code, duration_ms, stdout, stderr, detail, source, rule_id, rule_level)
            VALUES ($at, $event, $rkey, $program, $ar, $alert, $keys, $exit, $duration, $stdout, $stderr, $detail, $source, $rule, $level)
            RETURNING id
            """,
            "$at", "$event", "$rkey", "$program", "$ar", "$alert", "$keys", "$exit", "$duration", "$stdout", "$stderr", "$detail", "$source", "$rule", "$level");

        public readonly PreparedStatement PruneAudit = new(c, "DELETE FROM audit WHERE at < $before", "$before");

        public void Dispose()
        {
            InsertAudit.Dispose();
            PruneAudit.Dispose();
        }
    }
}
