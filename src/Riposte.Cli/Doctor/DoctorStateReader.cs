using Microsoft.Data.Sqlite;

namespace Riposte.Cli.Doctor;

/// <summary>
/// The doctor's own read-only connection to the state database: it must never write, migrate or checkpoint a file the
/// daemon may be using (WAL lets it read beside a running <c>serve</c>), so it does not go through the state store.
/// </summary>
internal static class DoctorStateReader
{
    /// <summary>The check line for a state this user cannot see.</summary>
    public static CheckResult Hidden(string check, string subject, string path) =>
        CheckResult.Warn(check, subject, $"cannot see {path} as this user (its directory is closed to others, as it should be)",
            "run riposte doctor as the user serve runs as (normally root)");

    /// <summary>Opens <paramref name="path"/> read-only, unpooled (nothing keeps the file open afterwards).</summary>
    public static SqliteConnection OpenReadOnly(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 10 };
        var connection = new SqliteConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The rows of a query's first column, as text.</summary>
    public static List<string> Column(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.IsDBNull(0) ? "" : Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }

        return values;
    }
}
