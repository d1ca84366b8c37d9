using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Riposte.Execution;

namespace Riposte.State;

/// <summary>
/// The exclusive lock that makes one process the owner of a state database: two engines on one state would each
/// schedule (or miss) the other's deletes. An advisory <c>flock</c> on <c>STATE.lock</c> beside the database, held for
/// the owner's lifetime and released by the kernel when the process dies, so a crash never leaves it behind.
/// </summary>
public sealed class StateLock : IDisposable
{
    private readonly SafeFileHandle _handle;

    private StateLock(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The lock file of the state database at <paramref name="statePath"/>.</summary>
    public static string PathFor(string statePath) => System.IO.Path.GetFullPath(statePath) + ".lock";

    /// <summary>
    /// Takes the lock without waiting; null when another process holds it (<paramref name="holder"/> is then its pid
    /// when known).
    /// </summary>
    /// <exception cref="StateStoreException">The lock file cannot be opened (permissions, a symlink, not a file).</exception>
    public static StateLock? TryAcquire(string statePath, out int? holder)
    {
        holder = null;
        var path = PathFor(statePath);
        StateFiles.EnsureDirectory(System.IO.Path.GetDirectoryName(path) ?? string.Empty);
        // O_NOFOLLOW: as root, a planted symlink must not make Riposte create or truncate another file.
        var fd = LibC.Open(LibC.PathBytes(path), LibC.O_RDWR | LibC.O_CREAT | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, (uint)StateFiles.FileMode);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new StateStoreException($"Cannot open the state lock '{path}': {LibC.StrError(errno)}" +
                (errno == LibC.ELOOP ? " (it is a symbolic link; Riposte does not follow links)" : ""));
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (LibC.Flock(handle, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            holder = ReadPid(path);
            handle.Dispose();
            if (errno == LibC.EAGAIN)
            {
                return null;
            }

            throw new StateStoreException($"Cannot lock '{path}': {LibC.StrError(errno)}");
        }

        // The pid is for messages only ("held by pid N"); the lock itself is the flock.
        RandomAccess.SetLength(handle, 0);
        RandomAccess.Write(handle, System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"), 0);
        return new StateLock(handle, path);
    }

    private static int? ReadPid(string path)
    {
        try
        {
            // Not File.OpenHandle: .NET takes a shared flock of its own on every open for reading, which the holder refuses.
            var fd = LibC.Open(LibC.PathBytes(path), LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
            if (fd < 0)
            {
                return null;
            }

            using var handle = new SafeFileHandle(fd, ownsHandle: true);
            var buffer = new byte[16];
            var text = System.Text.Encoding.ASCII.GetString(buffer, 0, RandomAccess.Read(handle, buffer, 0)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _handle.Dispose();
}
