using System.Globalization;
using Microsoft.Data.Sqlite;
using Riposte.State;

namespace Riposte.Fleet.View;

/// <summary>
/// The fleet view's layout and migrations. <c>PRAGMA application_id</c> marks the file as the fleet view (not the
/// engine's state, whose id differs), <c>PRAGMA user_version</c> holds the schema version.
/// </summary>
internal static class FleetSchema
{
    /// <summary>"RPFL": recognisable in a hex dump of the header, and distinct from the state file's "RPST".</summary>
    public const int ApplicationId = 0x5250464C;

    public static int CurrentVersion => Steps.Length;

    // Steps[i] takes the schema from version i to i + 1. Append only: a shipped step must never change.
    private static readonly string[] Steps =
    [
        """
        -- One row per agent heard from. last_seen is the manager's clock: an agent's clock may be wrong.
        CREATE TABLE agents (
            agent       TEXT    NOT NULL PRIMARY KEY,
            last_seen   INTEGER NOT NULL,
            version     TEXT,
            hostname    TEXT,
            active      INTEGER NOT NULL DEFAULT 0,
            started_at  INTEGER,
            interval_ms INTEGER,
            stopping    INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;

        -- Outcomes carry (agent, instance, seq); the unique index is what makes a redelivered outcome a no-op.
        -- AUTOINCREMENT: ids are never reused after pruning.
        CREATE TABLE history (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            at          INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            agent       TEXT    NOT NULL,
            event       TEXT    NOT NULL,
            rkey        TEXT,
            program     TEXT,
            ar_name     TEXT,
            alert_id    TEXT,
            keys        TEXT    NOT NULL,
            exit_code   INTEGER,
            duration_ms INTEGER NOT NULL,
            detail      TEXT,
            source      TEXT,
            instance    TEXT,
            seq         INTEGER
        );
        CREATE UNIQUE INDEX history_by_outcome ON history (agent, instance, seq) WHERE seq IS NOT NULL;
        CREATE INDEX history_by_time ON history (at);
        CREATE INDEX history_by_agent ON history (agent, at);
        CREATE INDEX history_by_command ON history (source, agent) WHERE source LIKE 'fleet:%';

        CREATE TABLE active (
            agent      TEXT    NOT NULL,
            rkey       TEXT    NOT NULL,
            ar_name    TEXT,
            keys       TEXT    NOT NULL,
            alert_id   TEXT,
            added_at   INTEGER NOT NULL,
            expires_at INTEGER,
            PRIMARY KEY (agent, rkey)
        ) WITHOUT ROWID;

        CREATE TABLE sent (
            id             TEXT    NOT NULL,
            agent          TEXT    NOT NULL,
            kind           TEXT    NOT NULL,
            ar_name        TEXT,
            alert_id       TEXT,
            target         TEXT,
            issued_at      INTEGER NOT NULL,
            expires_at     INTEGER NOT NULL,
            manager        TEXT    NOT NULL,
            answered_event TEXT,
            answered_at    INTEGER,
            expired_at     INTEGER,
            PRIMARY KEY (id, agent)
        ) WITHOUT ROWID;
        CREATE INDEX sent_open ON sent (expires_at) WHERE answered_at IS NULL AND expired_at IS NULL;
        CREATE INDEX sent_by_issue ON sent (issued_at);
        """,
        """
        -- The rule behind an outcome (agents older than this report none: NULL).
        ALTER TABLE history ADD COLUMN rule_id TEXT;
        ALTER TABLE history ADD COLUMN rule_level INTEGER;
        """,
    ];

    /// <summary>Brings the file to <see cref="CurrentVersion"/> in one immediate transaction.</summary>
    public static void Migrate(SqliteConnection connection, string path)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        var version = Check(connection, transaction, path, allowOlder: true);
        for (var step = version; step < Steps.Length; step++)
        {
            Execute(connection, transaction, Steps[step]);
        }

        if (version != Steps.Length)
        {
            Execute(connection, transaction, string.Create(CultureInfo.InvariantCulture, $"PRAGMA application_id = {ApplicationId}; PRAGMA user_version = {Steps.Length};"));
        }

        transaction.Commit();
    }

    /// <summary>Verifies the file is a fleet view this version can use; returns its schema version.</summary>
    public static int Check(SqliteConnection connection, SqliteTransaction? transaction, string path, bool allowOlder)
    {
        var version = Convert.ToInt32(Scalar(connection, transaction, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        var applicationId = Convert.ToInt32(Scalar(connection, transaction, "PRAGMA application_id"), CultureInfo.InvariantCulture);
        if (applicationId != ApplicationId &&
            (applicationId != 0 || Convert.ToInt64(Scalar(connection, transaction, "SELECT count(*) FROM sqlite_schema"), CultureInfo.InvariantCulture) > 0))
        {
            throw new StateStoreException($"'{path}' is an SQLite database, but not a Riposte fleet view; refusing to use it. Move it aside.");
        }

        if (version > CurrentVersion)
        {
            throw new StateStoreException(
                $"Fleet view '{path}' has schema version {version}, but this Riposte understands versions up to {CurrentVersion}: it was written by a newer Riposte. Upgrade Riposte.");
        }

        if (version < CurrentVersion && !allowOlder)
        {
            throw new StateStoreException(
                version == 0
                    ? $"Fleet view '{path}' has not been initialised yet; start the manager once to create it."
                    : $"Fleet view '{path}' has schema version {version}, older than this Riposte's {CurrentVersion}; start the manager once to migrate it.");
        }

        return version;
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }
}
