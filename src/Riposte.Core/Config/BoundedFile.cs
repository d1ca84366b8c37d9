using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Riposte.Config;

/// <summary>
/// Reads a configuration file only when it is a regular file of at most <see cref="ConfigLimits.MaxFileBytes"/>.
/// </summary>
/// <remarks>
/// The file is opened with <c>O_NONBLOCK</c> (opening a FIFO for reading would otherwise wait for a writer
/// forever) and its type is checked on the open descriptor with <c>statx</c>, so nothing can be swapped in between
/// the check and the read. At most limit + 1 bytes are read, so <c>/dev/zero</c> or a growing file cannot exhaust
/// memory. The declarations are blittable, like <c>Execution/LibC</c>, so no unsafe code is needed.
/// </remarks>
internal static class BoundedFile
{
    private const string Lib = "libc.so.6";
    private const int O_RDONLY = 0;
    private const int O_NOCTTY = 0x100;
    private const int O_NONBLOCK = 0x800;
    private const int O_CLOEXEC = 0x80000;
    private const int AT_EMPTY_PATH = 0x1000;
    private const uint STATX_TYPE = 0x1;
    private const uint STATX_SIZE = 0x200;
    private const int StatxModeOffset = 28;
    private const int StatxSizeOffset = 40;
    private const int StatxBufferBytes = 256;

    /// <summary>Reads the whole file, or explains (as a sentence fragment) why it was not read.</summary>
    /// <exception cref="IOException">The file cannot be opened (missing, permission, ...).</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    public static byte[]? Read(string path, out string? refusal)
    {
        refusal = null;
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            // The C string would end at the NUL and name another file.
            throw new IOException($"the path '{path.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL character");
        }

        var fd = Open(Encoding.UTF8.GetBytes(path + "\0"), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw ErrorFor(path, Marshal.GetLastPInvokeError());
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        var stat = new byte[StatxBufferBytes];
        if (Statx(fd, [0], AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, stat) != 0)
        {
            throw ErrorFor(path, Marshal.GetLastPInvokeError());
        }

        var kind = KindOf(BitConverter.ToUInt16(stat, StatxModeOffset));
        if (kind is not null)
        {
            refusal = $"not a regular file ({kind})";
            return null;
        }

        // The size is a hint for the buffer only: the file can change while it is read (and /proc reports 0).
        var size = BitConverter.ToInt64(stat, StatxSizeOffset);
        if (size > ConfigLimits.MaxFileBytes)
        {
            refusal = TooLarge;
            return null;
        }

        var buffer = new byte[Math.Max(size, 0) + 1];
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (buffer.Length > ConfigLimits.MaxFileBytes)
                {
                    refusal = TooLarge;
                    return null;
                }

                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, ConfigLimits.MaxFileBytes + 1L));
            }

            var read = RandomAccess.Read(handle, buffer.AsSpan(total), total);
            if (read == 0)
            {
                return buffer[..total];
            }

            total += read;
        }
    }

    private static string TooLarge => $"larger than {ConfigLimits.MaxFileBytes} bytes";

    /// <summary>What a non-regular file is, in words; null for a regular file.</summary>
    private static string? KindOf(ushort mode) => (mode & 0xF000) switch
    {
        0x8000 => null,
        0x4000 => "a directory",
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0xC000 => "a socket",
        _ => "an unknown file type",
    };

    private static Exception ErrorFor(string path, int errno) => errno switch
    {
        2 or 20 => new FileNotFoundException($"Could not find file '{path}'.", path),
        13 or 1 => new UnauthorizedAccessException($"Access to the path '{path}' is denied."),
        _ => new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno),
    };

    // open is variadic; the mode is not read without O_CREAT and travels like a fixed int on x86-64 and arm64.
    [DllImport(Lib, EntryPoint = "open", SetLastError = true)]
    private static extern int Open([In] byte[] path, int flags, int mode);

    // statx's struct layout is the same on every architecture, unlike struct stat.
    [DllImport(Lib, EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, [In] byte[] path, int flags, uint mask, [Out] byte[] buffer);
}
