using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Riposte.State;

/// <summary>A fresh temporary directory for one test's database, deleted afterwards.</summary>
internal sealed class TempStateDirectory : IDisposable
{
    public TempStateDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "riposte-state-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string DatabasePath => Path.Combine(Root, "state.db");

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 11, 27, 10, 0, 0, TimeSpan.Zero));

    public ValueTask<SqliteStateStore> OpenAsync() => SqliteStateStore.OpenAsync(DatabasePath, Time, TestContext.Current.CancellationToken);

    public ValueTask<SqliteStateStore> OpenReadOnlyAsync() => SqliteStateStore.OpenReadOnlyAsync(DatabasePath, Time, TestContext.Current.CancellationToken);

    /// <summary>A connection of our own, as another process (or the sqlite3 shell) would have.</summary>
    public SqliteConnection Raw(SqliteOpenMode mode = SqliteOpenMode.ReadOnly)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = mode, Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }

    public object? Scalar(string sql, SqliteOpenMode mode = SqliteOpenMode.ReadOnly)
    {
        using var connection = Raw(mode);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class StateSamples
{
    public static readonly DateTimeOffset T0 = new(2025, 11, 27, 10, 0, 0, TimeSpan.Zero);

    public static byte[] DeleteMessage(string ip) =>
        Encoding.UTF8.GetBytes(
            "{\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":\"wazuh-execd\"},\"command\":\"delete\"," +
            "\"parameters\":{\"extra_args\":[],\"alert\":{\"data\":{\"srcip\":\"" + ip + "\"}},\"program\":\"active-response/bin/firewall-drop\"}}");

    public static TimeoutEntry Entry(string ip, DateTimeOffset? addedAt = null, long duration = 600, EntryStatus status = EntryStatus.Active, int offense = 1) =>
        new("firewall-drop-" + ip, "active-response/bin/firewall-drop", DeleteMessage(ip), addedAt ?? T0, duration, "firewall-drop600", "1764238317.108876", [ip], status, offense);

    public static AuditRecord Audit(string @event, string? rkey = null, IReadOnlyList<string>? keys = null, DateTimeOffset? at = null) =>
        new(0, at ?? T0, @event, rkey, "active-response/bin/firewall-drop", "firewall-drop600", "1764238317.108876", keys ?? [], 0, 12, "out", "err", null, "file:/var/ossec/logs/alerts/alerts.json");

    /// <summary>Records compare arrays by reference; this compares what the store must preserve.</summary>
    public static void ShouldMatch(this TimeoutEntry actual, TimeoutEntry expected)
    {
        actual.RKey.ShouldBe(expected.RKey);
        actual.Program.ShouldBe(expected.Program);
        actual.DeleteMessage.ShouldBe(expected.DeleteMessage);
        actual.AddedAt.ShouldBe(expected.AddedAt);
        actual.AddedAt.Offset.ShouldBe(TimeSpan.Zero);
        actual.DurationSeconds.ShouldBe(expected.DurationSeconds);
        actual.ExpiresAt.ShouldBe(expected.ExpiresAt);
        actual.ArName.ShouldBe(expected.ArName);
        actual.AlertId.ShouldBe(expected.AlertId);
        actual.Keys.ShouldBe(expected.Keys);
        actual.Status.ShouldBe(expected.Status);
        actual.Offense.ShouldBe(expected.Offense);
    }

    public static void ShouldMatch(this AuditRecord actual, AuditRecord expected, long id)
    {
        actual.ShouldBe(expected with { Id = id, Keys = actual.Keys });
        actual.Keys.ShouldBe(expected.Keys);
    }
}
