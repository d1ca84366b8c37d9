namespace Riposte.State;

/// <summary>
/// Creates directories with an exact mode whatever the process umask: <c>mkdir</c> applies the umask, so every
/// directory this creates is set again with <c>chmod</c>. Directories that already exist are left as they are (their
/// mode is the operator's decision). Under umask 000 a plain <see cref="Directory.CreateDirectory(string)"/> would
/// make them 0777, letting any local user plant files, or symbolic links that a root process would then follow.
/// </summary>
public static class SecureDirectory
{
    /// <summary><c>rwxr-x---</c>: Wazuh's usual mode for the home's directories (group = the Wazuh group).</summary>
    public const UnixFileMode GroupReadable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    /// <summary><c>rwx------</c>: directories holding Riposte's own state and sockets.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Creates every missing directory of <paramref name="directory"/>: the last with <paramref name="mode"/>, the
    /// missing ones above it with <paramref name="parentMode"/>.
    /// </summary>
    public static void Ensure(string directory, UnixFileMode mode, UnixFileMode parentMode)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (Directory.Exists(full))
        {
            return;
        }

        if (Path.GetDirectoryName(full) is { Length: > 0 } parent)
        {
            Ensure(parent, parentMode, parentMode);
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full);
            return;
        }

        try
        {
            Directory.CreateDirectory(full, mode);
        }
        catch (IOException) when (Directory.Exists(full))
        {
            // Created by another process meanwhile: its mode is its creator's business.
            return;
        }

        File.SetUnixFileMode(full, mode);
    }
}
