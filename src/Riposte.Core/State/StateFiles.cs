namespace Riposte.State;

/// <summary>
/// Creates the state file and its directory with owner-only modes. The file holds alert contents (user names, IPs),
/// so it is made 0600 before SQLite ever opens it rather than fixed afterwards.
/// </summary>
internal static class StateFiles
{
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode PermissionBits =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The files SQLite keeps next to the database in WAL mode.</summary>
    public static readonly string[] SidecarSuffixes = ["-wal", "-shm"];

    /// <summary>Creates every missing directory of <paramref name="directory"/>, each 0700 whatever the umask.</summary>
    public static void EnsureDirectory(string directory)
    {
        if (!string.IsNullOrEmpty(directory))
        {
            SecureDirectory.Ensure(directory, DirectoryMode, DirectoryMode);
        }
    }

    /// <summary>
    /// Fails with "permission denied" when this user cannot use <paramref name="path"/> (a file that need not exist),
    /// instead of letting a reader think there is no state, or SQLite say only "unable to open database file".
    /// </summary>
    /// <returns>Whether the file exists.</returns>
    public static bool CheckAccess(string path, bool write)
    {
        if (OperatingSystem.IsWindows())
        {
            return File.Exists(path);
        }

        if (Execution.LibC.Access(Execution.LibC.PathBytes(path), 0) != 0)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            return errno == Execution.LibC.EACCES ? throw PermissionDenied(path, new IOException("access failed", errno)) : false;
        }

        try
        {
            using var handle = File.OpenHandle(path, System.IO.FileMode.Open, write ? FileAccess.ReadWrite : FileAccess.Read, FileShare.ReadWrite);
            return true;
        }
        catch (UnauthorizedAccessException e)
        {
            throw PermissionDenied(path, e);
        }
    }

    /// <summary>The error every command reports when the state belongs to another user.</summary>
    public static StateStoreException PermissionDenied(string path, Exception cause) =>
        new($"Cannot open state database '{path}': permission denied (it belongs to the user 'riposte serve' runs as, normally root; run this command as that user).", cause);

    /// <summary>
    /// As root, refuses a state directory, database or sidecar that is a symbolic link: SQLite follows links, and root
    /// would then create or rewrite whatever file the link names.
    /// </summary>
    public static void RefuseSymlinks(string databasePath)
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess)
        {
            return;
        }

        var directory = Path.GetDirectoryName(databasePath);
        string[] paths = [.. directory is null ? [] : new[] { directory }, databasePath, .. SidecarSuffixes.Select(s => databasePath + s)];
        foreach (var path in paths)
        {
            if (new FileInfo(path).LinkTarget is { } target)
            {
                throw new StateStoreException($"State path '{path}' is a symbolic link (to '{target}'); Riposte runs as root and does not follow it. Point the settings' state path at the real file.");
            }
        }
    }

    /// <summary>Creates an empty database file with mode 0600 unless it exists; returns whether it created it.</summary>
    public static bool CreateDatabaseFile(string path)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        try
        {
            using var stream = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first; its mode is its creator's business.
            return false;
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, FileMode);
        }

        return true;
    }

    /// <summary>
    /// Gives -wal and -shm the database file's permission bits (0600 for a file Riposte created). SQLite does the
    /// same itself, but only when it creates them; this makes the result independent of the umask and of whoever
    /// created them first. Mirroring rather than forcing 0600 keeps an operator's deliberate group-read on the
    /// database working for readers, which need the -shm too.
    /// </summary>
    public static void AlignSidecarModes(string databasePath)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(databasePath) & PermissionBits;
        foreach (var suffix in SidecarSuffixes)
        {
            var sidecar = databasePath + suffix;
            try
            {
                if (File.Exists(sidecar) && (File.GetUnixFileMode(sidecar) & PermissionBits) != mode)
                {
                    File.SetUnixFileMode(sidecar, mode);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Owned by another user (a reader that ran first): SQLite gave it the database's mode when creating it.
            }
        }
    }

    /// <summary>How long a connection waits for another process's write lock.</summary>
    internal const int BusyTimeoutMs = 10_000;

    /// <summary>
    /// A connection to one of Riposte's SQLite files, unpooled (a store holds its connections for its whole life; a pool
    /// would only keep the file open after disposal) and with the busy timeout set.
    /// </summary>
    internal static Microsoft.Data.Sqlite.SqliteConnection Connect(string path, Microsoft.Data.Sqlite.SqliteOpenMode mode)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = 30,
        };
        var connection = new Microsoft.Data.Sqlite.SqliteConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {BusyTimeoutMs}");
            command.ExecuteScalar();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>An open failure as the CLI reports it: SQLite's reason, or permission denied; <paramref name="what"/> names the file's role.</summary>
    internal static Exception WrapOpenFailure(Exception e, string what, string path) => e switch
    {
        Microsoft.Data.Sqlite.SqliteException sqlite => new StateStoreException($"Cannot open {what} '{path}': {sqlite.Message}", sqlite),
        UnauthorizedAccessException denied => PermissionDenied(path, denied),
        _ => e,
    };
}
