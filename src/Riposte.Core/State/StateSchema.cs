using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Riposte.State;

/// <summary>
/// The database layout and its migrations. <c>PRAGMA user_version</c> holds the schema version and
/// <c>PRAGMA application_id</c> marks the file as Riposte's, so a stray SQLite file is never "migrated".
/// </summary>
internal static class StateSchema
{
    /// <summary>"RPST": recognisable in a hex dump of the header.</summary>
    public const int ApplicationId = 0x52505354;

    public static int CurrentVersion => Steps.Length;

    // Steps[i] takes the schema from version i to i + 1. Append only: a shipped step must never change, because
    // databases in the field have already run it.
    private static readonly string[] Steps =
    [
        """
        -- Timeout list. keys is a JSON array (the row is the whole entry, so loading 100k entries at start-up is one
        -- scan with no join); timeout_keys indexes the same keys so "revoke 1.2.3.4" is an index lookup.
        CREATE TABLE timeouts (
            rkey           TEXT    NOT NULL PRIMARY KEY,
            program        TEXT    NOT NULL,
            delete_message BLOB    NOT NULL,
            added_at       INTEGER NOT NULL,
            duration_s     INTEGER NOT NULL,
            expires_at     INTEGER NOT NULL,
            ar_name        TEXT    NOT NULL,
            alert_id       TEXT,
            keys           TEXT    NOT NULL,
            status         TEXT    NOT NULL CHECK (status IN ('pending', 'active', 'deleting')),
            offense        INTEGER NOT NULL,
            updated_at     INTEGER NOT NULL
        );
        CREATE INDEX timeouts_by_expiry ON timeouts (expires_at, rkey);

        CREATE TABLE timeout_keys (
            key  TEXT NOT NULL,
            rkey TEXT NOT NULL,
            PRIMARY KEY (key, rkey)
        ) WITHOUT ROWID;
        CREATE INDEX timeout_keys_by_rkey ON timeout_keys (rkey);

        CREATE TABLE offenders (
            rkey      TEXT    NOT NULL PRIMARY KEY,
            count     INTEGER NOT NULL,
            last_seen INTEGER NOT NULL
        );
        CREATE INDEX offenders_by_last_seen ON offenders (last_seen);

        -- AUTOINCREMENT: ids are never reused after pruning, so "records after id N" stays a valid cursor.
        CREATE TABLE audit (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            at          INTEGER NOT NULL,
            event       TEXT    NOT NULL,
            rkey        TEXT,
            program     TEXT    NOT NULL,
            ar_name     TEXT,
            alert_id    TEXT,
            keys        TEXT    NOT NULL,
            exit_code   INTEGER,
            duration_ms INTEGER NOT NULL,
            stdout      TEXT,
            stderr      TEXT,
            detail      TEXT,
            source      TEXT
        );
        CREATE INDEX audit_by_time ON audit (at);
        CREATE INDEX audit_by_event ON audit (event, at);

        CREATE TABLE checkpoints (
            source        TEXT    NOT NULL PRIMARY KEY,
            file_identity TEXT    NOT NULL,
            "offset"      INTEGER NOT NULL,
            updated_at    INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE decisions (
            decision_key TEXT    NOT NULL PRIMARY KEY,
            at           INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX decisions_by_time ON decisions (at);
        """,
        """
        -- Version 2: the rule behind each audit row, so notifications and the API can filter by rule and level.
        ALTER TABLE audit ADD COLUMN rule_id TEXT;
        ALTER TABLE audit ADD COLUMN rule_level INTEGER;
        """,
    ];

    /// <summary>
    /// Brings the database to <see cref="CurrentVersion"/> in one immediate transaction, so two processes opening a
    /// new file at once cannot both run a step.
    /// </summary>
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

    /// <summary>Verifies the file is a Riposte database this version can use; returns its schema version.</summary>
    public static int Check(SqliteConnection connection, SqliteTransaction? transaction, string path, bool allowOlder)
    {
        var version = Convert.ToInt32(Scalar(connection, transaction, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        var applicationId = Convert.ToInt32(Scalar(connection, transaction, "PRAGMA application_id"), CultureInfo.InvariantCulture);
        if (applicationId != ApplicationId && (applicationId != 0 || HasTables(connection, transaction)))
        {
            throw new StateStoreException($"'{path}' is an SQLite database, but not a Riposte state database; refusing to use it. Point state.path at another file.");
        }

        if (version > CurrentVersion)
        {
            throw new StateStoreException(
                $"State database '{path}' has schema version {version}, but this Riposte understands versions up to {CurrentVersion}: " +
                "it was written by a newer Riposte. Upgrade Riposte, or point state.path at another file.");
        }

        if (version < CurrentVersion && !allowOlder)
        {
            throw new StateStoreException(
                version == 0
                    ? $"State database '{path}' has not been initialised yet; start 'riposte serve' once to create it."
                    : $"State database '{path}' has schema version {version}, older than this Riposte's {CurrentVersion}; start 'riposte serve' once to migrate it.");
        }

        return version;
    }

    private static bool HasTables(SqliteConnection connection, SqliteTransaction? transaction) =>
        Convert.ToInt64(Scalar(connection, transaction, "SELECT count(*) FROM sqlite_schema"), CultureInfo.InvariantCulture) > 0;

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
