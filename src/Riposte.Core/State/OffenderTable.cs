using Microsoft.Data.Sqlite;

namespace Riposte.State;

/// <summary>
/// The repeated-offender counters of <see cref="SqliteStateStore"/> (<c>offenders</c>). Reads run under the store's
/// read lock, writes in the caller's transaction.
/// </summary>
internal sealed class OffenderTable : IDisposable
{
    private readonly WriteStatements? _write;
    private readonly PreparedStatement _get;

    public OffenderTable(StateDatabase database)
    {
        _write = database.Writer is null ? null : new WriteStatements(database.Writer);
        _get = new PreparedStatement(database.Reader, "SELECT count, last_seen FROM offenders WHERE rkey = $rkey", "$rkey");
        database.Own(this);
    }

    public OffenderCounter? Get(string rkey)
    {
        using var reader = _get.Bind(null, rkey).ExecuteReader();
        return reader.Read() ? new OffenderCounter(rkey, reader.GetInt32(0), UnixMs.To(reader.GetInt64(1))) : null;
    }

    public void Set(SqliteTransaction transaction, OffenderCounter counter) =>
        _write!.UpsertOffender.Bind(transaction, counter.RKey, counter.Count, UnixMs.From(counter.LastSeen)).ExecuteNonQuery();

    public bool Remove(SqliteTransaction transaction, string rkey) => _write!.DeleteOffender.Bind(transaction, rkey).ExecuteNonQuery() > 0;

    public int Forgive(SqliteTransaction transaction, DateTimeOffset quietSince) =>
        _write!.ForgiveOffenders.Bind(transaction, UnixMs.From(quietSince)).ExecuteNonQuery();

    public static void Validate(OffenderCounter counter)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentNullException.ThrowIfNull(counter.RKey, nameof(counter));
    }

    public void Dispose()
    {
        _write?.Dispose();
        _get.Dispose();
    }

    private sealed class WriteStatements(SqliteConnection c) : IDisposable
    {
        public readonly PreparedStatement UpsertOffender = new(
            c,
            "INSERT INTO offenders (rkey, count, last_seen) VALUES ($rkey, $count, $seen) ON CONFLICT (rkey) DO UPDATE SET count = excluded.count, last_seen = excluded.last_seen",
            "$rkey", "$count", "$seen");

        public readonly PreparedStatement DeleteOffender = new(c, "DELETE FROM offenders WHERE rkey = $rkey", "$rkey");

        public readonly PreparedStatement ForgiveOffenders = new(c, "DELETE FROM offenders WHERE last_seen < $quiet", "$quiet");

        public void Dispose()
        {
            UpsertOffender.Dispose();
            DeleteOffender.Dispose();
            ForgiveOffenders.Dispose();
        }
    }
}
