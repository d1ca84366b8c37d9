using Microsoft.Data.Sqlite;

namespace Riposte.State;

/// <summary>
/// How one kind of Riposte SQLite file (the engine's state, the manager's fleet view) is named, checked and migrated:
/// what <see cref="StateDatabase"/> needs to open it.
/// </summary>
internal sealed class StateDatabaseKind
{
    /// <summary>The file's role in messages, e.g. "state database" ("Cannot open state database '…'").</summary>
    public required string Role { get; init; }

    /// <summary>The role at the start of a sentence, e.g. "State database".</summary>
    public required string Title { get; init; }

    /// <summary>The store whose name an <see cref="ObjectDisposedException"/> carries.</summary>
    public required Type Owner { get; init; }

    /// <summary>Refuses symbolic links on the way to the file (see <see cref="StateFiles.RefuseSymlinks"/>).</summary>
    public required Action<string> RefuseSymlinks { get; init; }

    /// <summary>Verifies the file is of this kind and version; returns its schema version (as <see cref="StateSchema.Check"/>).</summary>
    public required Func<SqliteConnection, SqliteTransaction?, string, bool, int> CheckSchema { get; init; }

    /// <summary>Brings the schema to the current version (as <see cref="StateSchema.Migrate"/>).</summary>
    public required Action<SqliteConnection, string> Migrate { get; init; }

    /// <summary>The message of a read-only open of a file that does not exist, given its full path.</summary>
    public required Func<string, string> Missing { get; init; }

    /// <summary>Statements run on the writer after the common pragmas and before migrating.</summary>
    public IReadOnlyList<string> WriterPragmas { get; init; } = [];

    /// <summary>Whether closing the writer runs <c>PRAGMA optimize</c> first.</summary>
    public bool OptimizeOnClose { get; init; }
}
