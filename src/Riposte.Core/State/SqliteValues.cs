using Microsoft.Data.Sqlite;

namespace Riposte.State;

/// <summary>Column reads shared by the stores' row mappers.</summary>
internal static class SqliteValues
{
    /// <summary>The text at <paramref name="ordinal"/>, or null for SQL NULL.</summary>
    public static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
