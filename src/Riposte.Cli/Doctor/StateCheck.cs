using Microsoft.Data.Sqlite;

namespace Riposte.Cli.Doctor;

/// <summary>
/// The state database (found as every command finds it: the settings' <c>state.path</c> under the home): it and its
/// sidecars and lock are closed to other users, and SQLite's <c>PRAGMA quick_check</c> finds it sound.
/// </summary>
internal sealed class StateCheck : IDoctorCheck
{
    /// <inheritdoc />
    public string Id => "state";

    /// <inheritdoc />
    public string Title => "State database";

    /// <inheritdoc />
    public Task<IReadOnlyList<CheckResult>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var path = context.Layout.StatePath;
        switch (UnixFileFacts.Exists(path))
        {
            case false:
                return Task.FromResult<IReadOnlyList<CheckResult>>([CheckResult.Skip(Id, path, "no state yet: serve creates it (mode 0600) on its first start")]);
            case null:
                return Task.FromResult<IReadOnlyList<CheckResult>>([DoctorStateReader.Hidden(Id, path, path)]);
        }

        var results = new List<CheckResult>();
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + ".lock" })
        {
            if (UnixFileFacts.Of(file) is not { } facts)
            {
                continue;
            }

            var subject = Path.GetFileName(file);
            results.Add(FileModeRules.Private(Id, subject, file, facts, isDirectory: false)
                ?? CheckResult.Pass(Id, subject, FileModeRules.Describe(facts)));
        }

        results.Add(Integrity(path));
        return Task.FromResult<IReadOnlyList<CheckResult>>(results);
    }

    private CheckResult Integrity(string path)
    {
        const string subject = "quick_check";
        var fix = $"stop serve, keep a copy (cp {path} {path}.bad), then recover what SQLite can: sqlite3 {path}.bad .recover | sqlite3 {path}.new, " +
                  $"and move {path}.new to {path}; active responses missing from it must then be reverted by hand";
        try
        {
            using var connection = DoctorStateReader.OpenReadOnly(path);
            var rows = DoctorStateReader.Column(connection, "PRAGMA quick_check(20)");
            return rows is ["ok"]
                ? CheckResult.Pass(Id, subject, "PRAGMA quick_check: ok")
                : CheckResult.Fail(Id, subject, $"PRAGMA quick_check reports {rows.Count} problems: the database is damaged", fix, rows);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 11 or 26)
        {
            // SQLITE_CORRUPT, SQLITE_NOTADB: too damaged for the check itself to run.
            return CheckResult.Fail(Id, subject, $"the database is damaged: {e.Message}", fix);
        }
        catch (SqliteException e)
        {
            return CheckResult.Warn(Id, subject, $"cannot open it read-only to check: {e.Message}", "run riposte doctor as the user serve runs as (normally root)");
        }
    }
}
