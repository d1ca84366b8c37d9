using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Riposte.Execution;
using Riposte.Inputs;

namespace Riposte.Engine;

/// <summary>
/// Opens a log for appending the way a root process must: <c>O_NOFOLLOW</c> (a symbolic link planted in the log
/// directory would otherwise make root append to, or create, any file it names), <c>O_NONBLOCK</c> (a FIFO planted
/// there fails instead of blocking the engine), a regular-file check on the open descriptor, and an exact mode for a
/// file it creates, whatever the umask.
/// </summary>
internal static class AppendOnlyFile
{
    private const int S_IFMT = 0xF000;
    private const int S_IFREG = 0x8000;

    /// <summary>Opens <paramref name="path"/> for appending, creating it with exactly <paramref name="createMode"/>.</summary>
    /// <exception cref="IOException">The path is a symbolic link, not a regular file, or cannot be opened.</exception>
    public static SafeFileHandle Open(string path, UnixFileMode createMode)
    {
        const int flags = LibC.O_WRONLY | LibC.O_APPEND | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NONBLOCK | LibC.O_NOCTTY;
        var bytes = LibC.PathBytes(path);
        for (var attempt = 0; ; attempt++)
        {
            var fd = LibC.Open(bytes, flags, 0);
            var created = false;
            if (fd < 0 && Marshal.GetLastPInvokeError() == LibC.ENOENT)
            {
                // O_EXCL tells whether this call created it, so only a file of ours gets its mode set.
                fd = LibC.Open(bytes, flags | LibC.O_CREAT | LibC.O_EXCL, (uint)createMode);
                created = fd >= 0;
                if (fd < 0 && Marshal.GetLastPInvokeError() == LibC.EEXIST && attempt < 3)
                {
                    continue; // created by someone else in between (a program logging): open theirs
                }
            }

            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException(errno == LibC.ELOOP
                    ? $"'{path}' is a symbolic link; Riposte does not follow it (replace it with a regular file)"
                    : $"cannot open '{path}': {LibC.StrError(errno)}", errno);
            }

            var handle = new SafeFileHandle(fd, ownsHandle: true);
            try
            {
                if ((UnixFileStatus.FromHandle(handle).Mode & S_IFMT) != S_IFREG)
                {
                    throw new IOException($"'{path}' is not a regular file; Riposte does not write to it");
                }

                // open(2) applied the umask to the mode; an exact mode needs fchmod.
                if (created && LibC.FChmod(handle, (uint)createMode) != 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    throw new IOException($"cannot set the mode of '{path}': {LibC.StrError(errno)}", errno);
                }

                return handle;
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }
    }

    /// <summary>Appends all of <paramref name="bytes"/> (one <c>write(2)</c> unless the kernel returns a short count).</summary>
    public static void Append(SafeFileHandle handle, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var written = LibC.Write(handle, ref MemoryMarshal.GetReference(bytes), bytes.Length);
            if (written < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR)
                {
                    continue;
                }

                throw new IOException($"write failed: {LibC.StrError(errno)}", errno);
            }

            bytes = bytes[(int)written..];
        }
    }
}
