using System.Runtime.InteropServices;
using System.Text;

namespace Riposte.Sdk;

/// <summary>
/// The libc calls the BCL does not expose the way Wazuh's helpers use them: an <c>O_APPEND</c> open (FileStream
/// writes with <c>pwrite</c> at a tracked offset, so two programs logging at once could overwrite each other) and a
/// blocking-capable <c>flock</c> (FileStream takes its own non-blocking shared lock on every open). Blittable
/// signatures only, so nothing needs generated marshalling. Constants are the Linux values of x86-64 and arm64.
/// </summary>
internal static class Native
{
    private const string Lib = "libc.so.6";

    public const int O_WRONLY = 0x1;
    public const int O_RDWR = 0x2;
    public const int O_CREAT = 0x40;
    public const int O_NOCTTY = 0x100;
    public const int O_APPEND = 0x400;
    public const int O_NONBLOCK = 0x800;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;

    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;

    public const int EINTR = 4;
    public const int EAGAIN = 11;

    [DllImport(Lib, EntryPoint = "open", SetLastError = true)]
    private static extern int OpenNative(byte[] path, int flags, uint mode);

    [DllImport(Lib, EntryPoint = "write", SetLastError = true)]
    private static extern nint WriteNative(int fd, ref byte buffer, nint count);

    [DllImport(Lib, EntryPoint = "flock", SetLastError = true)]
    public static extern int Flock(int fd, int operation);

    [DllImport(Lib, EntryPoint = "close")]
    private static extern int CloseNative(int fd);

    /// <summary><c>close(2)</c>; its result is of no use here (the descriptor is gone either way on Linux).</summary>
    public static void Close(int fd) => _ = CloseNative(fd);

    /// <summary><c>open(2)</c>; returns -1 and leaves errno in <see cref="Marshal.GetLastPInvokeError"/> on failure.</summary>
    public static int Open(string path, int flags, uint mode)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        int fd;
        do
        {
            fd = OpenNative(bytes, flags | O_CLOEXEC, mode);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);

        return fd;
    }

    /// <summary>Writes the whole buffer (one <c>write(2)</c> unless the kernel returns a short count).</summary>
    public static bool WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var written = WriteNative(fd, ref MemoryMarshal.GetReference(data), data.Length);
            if (written < 0)
            {
                if (Marshal.GetLastPInvokeError() == EINTR)
                {
                    continue;
                }

                return false;
            }

            data = data[(int)written..];
        }

        return true;
    }
}
