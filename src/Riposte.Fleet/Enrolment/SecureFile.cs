using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Riposte.Execution;

namespace Riposte.Fleet.Enrolment;

/// <summary>
/// Writes the fleet's secret files: atomically (a temp file renamed over the target, so nats-server never reads half
/// a file), mode 0600 whatever the umask, and never through a symbolic link. Riposte runs as root, and a link planted
/// in the fleet directory must not make it create or overwrite some other file.
/// </summary>
internal static class SecureFile
{
    /// <summary><c>rw-------</c>.</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/>.</summary>
    /// <exception cref="IOException">The target is a symbolic link or not a regular file, or the write failed.</exception>
    public static void Write(string path, byte[] content)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = Path.GetFullPath(path);
        var existing = RefuseLink(path);
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");

        // O_EXCL | O_NOFOLLOW: the temp name is fresh, so anything already there (a planted link) is an attack, not ours.
        var fd = LibC.Open(LibC.PathBytes(temp), LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, (uint)Mode);
        if (fd < 0)
        {
            throw new IOException($"cannot create '{temp}': {LibC.StrError(Marshal.GetLastPInvokeError())}");
        }

        try
        {
            using (var handle = new SafeFileHandle(fd, ownsHandle: true))
            {
                // open(2) applies the umask, which can only remove bits; fchmod makes the mode exact.
                if (LibC.FChmod(handle, (uint)Mode) != 0)
                {
                    throw new IOException($"cannot chmod '{temp}': {LibC.StrError(Marshal.GetLastPInvokeError())}");
                }

                // An operator who gave the file to nats-server's user (chown nats) keeps that across rewrites.
                if (existing is { } owner && FChown(handle, owner.Uid, owner.Gid) != 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != LibC.EPERM)
                    {
                        throw new IOException($"cannot chown '{temp}': {LibC.StrError(errno)}");
                    }
                }

                RandomAccess.Write(handle, content, 0);
                RandomAccess.FlushToDisk(handle);
            }

            // rename(2) replaces the directory entry itself; it never follows a link at the target.
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Reads <paramref name="path"/>, or null when it does not exist; a symbolic link is refused.</summary>
    public static byte[]? ReadIfExists(string path)
    {
        path = Path.GetFullPath(path);
        if (RefuseLink(path) is null)
        {
            return null;
        }

        var fd = LibC.Open(LibC.PathBytes(path), LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot open '{path}': {LibC.StrError(Marshal.GetLastPInvokeError())}");
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        var length = RandomAccess.GetLength(handle);
        var buffer = new byte[length];
        var read = 0;
        while (read < length)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(read), read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return buffer[..read];
    }

    /// <summary>Deletes <paramref name="path"/> if it exists (a link is removed, never its target).</summary>
    public static void Delete(string path) => File.Delete(path);

    /// <summary>The owner of the regular file at <paramref name="path"/>, or null when nothing is there.</summary>
    private static (uint Uid, uint Gid)? RefuseLink(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            throw new IOException($"'{path}' is a symbolic link; Riposte does not follow links for its fleet files");
        }

        if (Directory.Exists(path))
        {
            throw new IOException($"'{path}' is a directory, not a file");
        }

        if (!info.Exists)
        {
            return null;
        }

        return LStat(path);
    }

    private static (uint Uid, uint Gid)? LStat(string path)
    {
        // .NET has no accessor for a file's owner; statx (glibc 2.28+) has a stable, documented layout.
        var buffer = new byte[256];
        if (Statx(AtFdCwd, LibC.PathBytes(path), AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            return null;
        }

        // struct statx: u32 mask, u32 blksize, u64 attributes, u32 nlink, u32 uid, u32 gid, ...
        return (BitConverter.ToUInt32(buffer, 20), BitConverter.ToUInt32(buffer, 24));
    }

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;

    [DllImport("libc.so.6", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirFd, byte[] path, int flags, uint mask, byte[] buffer);

    [DllImport("libc.so.6", EntryPoint = "fchown", SetLastError = true)]
    private static extern int FChown(SafeHandle fd, uint owner, uint group);
}
