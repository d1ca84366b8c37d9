using Microsoft.Data.Sqlite;

namespace Riposte.State;

/// <summary>
/// The input checkpoints of <see cref="SqliteStateStore"/> (<c>checkpoints</c>): how far each source has been read.
/// Reads run under the store's read lock, writes in the caller's transaction.
/// </summary>
internal sealed class CheckpointTable : IDisposable
{
    private readonly PreparedStatement? _upsert;
    private readonly PreparedStatement _get;

    public CheckpointTable(StateDatabase database)
    {
        _upsert = database.Writer is null ? null : new PreparedStatement(
            database.Writer,
            "INSERT INTO checkpoints (source, file_identity, \"offset\", updated_at) VALUES ($source, $identity, $offset, $now) ON CONFLICT (source) DO UPDATE SET file_identity = excluded.file_identity, \"offset\" = excluded.\"offset\", updated_at = excluded.updated_at",
            "$source", "$identity", "$offset", "$now");
        _get = new PreparedStatement(database.Reader, "SELECT file_identity, \"offset\" FROM checkpoints WHERE source = $source", "$source");
        database.Own(this);
    }

    public SourceCheckpoint? Get(string source)
    {
        using var reader = _get.Bind(null, source).ExecuteReader();
        return reader.Read() ? new SourceCheckpoint(source, reader.GetString(0), reader.GetInt64(1)) : null;
    }

    /// <param name="transaction">The caller's transaction.</param>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="now">Its <c>updated_at</c>, in Unix milliseconds.</param>
    public void Upsert(SqliteTransaction transaction, SourceCheckpoint checkpoint, long now) =>
        _upsert!.Bind(transaction, checkpoint.Source, checkpoint.FileIdentity, checkpoint.Offset, now).ExecuteNonQuery();

    public static void Validate(SourceCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(checkpoint.Source);
        ArgumentNullException.ThrowIfNull(checkpoint.FileIdentity);
    }

    public void Dispose()
    {
        _upsert?.Dispose();
        _get.Dispose();
    }
}
