using Microsoft.Data.Sqlite;

namespace Riposte.State;

/// <summary>
/// One SQL statement compiled once and executed many times with new parameter values, so the hot paths (adds, audit
/// appends) skip SQLite's parser. Not thread-safe: the store uses it under its connection's lock.
/// </summary>
internal sealed class PreparedStatement : IDisposable
{
    private readonly SqliteCommand _command;
    private readonly SqliteParameter[] _parameters;

    public PreparedStatement(SqliteConnection connection, string sql, params string[] parameterNames)
    {
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        _parameters = new SqliteParameter[parameterNames.Length];
        for (var i = 0; i < parameterNames.Length; i++)
        {
            _parameters[i] = _command.Parameters.Add(new SqliteParameter(parameterNames[i], DBNull.Value));
        }

        _command.Prepare();
    }

    /// <summary>Sets every parameter, in the order they were declared, and the transaction to run in.</summary>
    public SqliteCommand Bind(SqliteTransaction? transaction, params ReadOnlySpan<object?> values)
    {
        if (values.Length != _parameters.Length)
        {
            throw new ArgumentException($"Expected {_parameters.Length} values, got {values.Length}.", nameof(values));
        }

        for (var i = 0; i < values.Length; i++)
        {
            _parameters[i].Value = values[i] ?? DBNull.Value;
        }

        _command.Transaction = transaction;
        return _command;
    }

    public void Dispose() => _command.Dispose();
}
