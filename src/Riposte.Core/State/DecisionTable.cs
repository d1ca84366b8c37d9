using Microsoft.Data.Sqlite;

namespace Riposte.State;

/// <summary>
/// The decisions of <see cref="SqliteStateStore"/> already taken for replayed input (<c>decisions</c>), so a replay
/// does not act twice. Reads run under the store's read lock, writes in the caller's transaction.
/// </summary>
internal sealed class DecisionTable : IDisposable
{
    private readonly WriteStatements? _write;
    private readonly PreparedStatement _isDecided;

    public DecisionTable(StateDatabase database)
    {
        _write = database.Writer is null ? null : new WriteStatements(database.Writer);
        _isDecided = new PreparedStatement(database.Reader, "SELECT 1 FROM decisions WHERE decision_key = $key", "$key");
        database.Own(this);
    }

    /// <summary>Records <paramref name="decisionKey"/>; returns false when it already was.</summary>
    public bool TryInsert(SqliteTransaction transaction, string decisionKey, DateTimeOffset at) =>
        _write!.InsertDecision.Bind(transaction, decisionKey, UnixMs.From(at)).ExecuteNonQuery() > 0;

    /// <summary>Records <paramref name="decisionKey"/> when there is one (an input that asked for the step).</summary>
    public void Insert(SqliteTransaction transaction, string? decisionKey, DateTimeOffset at)
    {
        if (decisionKey is not null)
        {
            _write!.InsertDecision.Bind(transaction, decisionKey, UnixMs.From(at)).ExecuteNonQuery();
        }
    }

    public bool IsDecided(string decisionKey)
    {
        using var reader = _isDecided.Bind(null, decisionKey).ExecuteReader();
        return reader.Read();
    }

    public int Prune(SqliteTransaction transaction, DateTimeOffset olderThan) =>
        _write!.PruneDecisions.Bind(transaction, UnixMs.From(olderThan)).ExecuteNonQuery();

    public void Dispose()
    {
        _write?.Dispose();
        _isDecided.Dispose();
    }

    private sealed class WriteStatements(SqliteConnection c) : IDisposable
    {
        public readonly PreparedStatement InsertDecision = new(c, "INSERT INTO decisions (decision_key, at) VALUES ($key, $at) ON CONFLICT (decision_key) DO NOTHING", "$key", "$at");

        public readonly PreparedStatement PruneDecisions = new(c, "DELETE FROM decisions WHERE at < $before", "$before");

        public void Dispose()
        {
            InsertDecision.Dispose();
            PruneDecisions.Dispose();
        }
    }
}
