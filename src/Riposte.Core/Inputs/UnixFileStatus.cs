using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Riposte.Inputs;

/// <summary>
/// Device, inode, size, type and owner of a file. .NET exposes no inode, so this calls libc: <c>statx</c> first because its
/// layout is the same on every architecture, then <c>stat</c>/<c>fstat</c> with the 64-bit Linux layout where
/// <c>statx</c> is missing (glibc &lt; 2.28, old musl) or blocked (older container seccomp profiles).
/// </summary>
internal readonly record struct UnixFileStatus(ulong Device, ulong Inode, long Size, int Mode, uint Uid, uint Gid)
{
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1, StatxMode = 0x2, StatxUid = 0x8, StatxGid = 0x10, StatxIno = 0x100, StatxSize = 0x200;
    private const int ENOENT = 2, ENOTDIR = 20, EPERM = 1, ENOSYS = 38;
    private const int FileTypeMask = 0xF000, SocketType = 0xC000;

    private static volatile bool s_statxUnavailable;

    /// <summary><c>"dev:inode"</c>, decimal.</summary>
    public string Identity => string.Create(CultureInfo.InvariantCulture, $"{Device}:{Inode}");

    /// <summary>True for a Unix domain socket.</summary>
    public bool IsSocket => (Mode & FileTypeMask) == SocketType;

    /// <summary>Status of <paramref name="path"/> (symbolic links followed); false when it does not exist.</summary>
    public static bool TryStat(string path, out UnixFileStatus status)
    {
        EnsureSupported();
        var bytes = NullTerminated(path);
        var buffer = new byte[256];
        int result;
        int errno;
        if (!s_statxUnavailable)
        {
            (result, errno) = CallStatx(AtFdCwd, bytes, 0, buffer);
            if (result == 0)
            {
                status = FromStatx(buffer);
                return true;
            }

            if (!IsStatxUnavailable(errno))
            {
                status = default;
                return IsMissing(errno) ? false : throw Failure(errno, path);
            }
        }

        (result, errno) = CallStat(bytes, buffer);
        if (result == 0)
        {
            status = FromStat(buffer);
            return true;
        }

        status = default;
        return IsMissing(errno) ? false : throw Failure(errno, path);
    }

    /// <summary>Status of the file open as <paramref name="handle"/>, whatever its name is now.</summary>
    public static UnixFileStatus FromHandle(SafeFileHandle handle)
    {
        EnsureSupported();
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            var buffer = new byte[256];
            if (!s_statxUnavailable)
            {
                var (result, errno) = CallStatx(fd, [0], AtEmptyPath, buffer);
                if (result == 0)
                {
                    return FromStatx(buffer);
                }

                if (!IsStatxUnavailable(errno))
                {
                    throw Failure(errno, $"fd {fd}");
                }
            }

            var (statResult, statErrno) = CallFStat(fd, buffer);
            return statResult == 0 ? FromStat(buffer) : throw Failure(statErrno, $"fd {fd}");
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static (int Result, int Errno) CallStatx(int dirfd, byte[] path, int flags, byte[] buffer)
    {
        try
        {
            var result = Native.Statx(dirfd, path, flags, StatxType | StatxMode | StatxUid | StatxGid | StatxIno | StatxSize, buffer);
            return (result, result == 0 ? 0 : Marshal.GetLastPInvokeError());
        }
        catch (EntryPointNotFoundException)
        {
            s_statxUnavailable = true;
            return (-1, ENOSYS);
        }
    }

    // glibc before 2.33 exports stat/fstat only as __xstat/__fxstat, which take the struct version first.
    private static (int Result, int Errno) CallStat(byte[] path, byte[] buffer)
    {
        int result;
        try
        {
            result = Native.Stat(path, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            result = Native.XStat(StatVersion, path, buffer);
        }

        return (result, result == 0 ? 0 : Marshal.GetLastPInvokeError());
    }

    private static (int Result, int Errno) CallFStat(int fd, byte[] buffer)
    {
        int result;
        try
        {
            result = Native.FStat(fd, buffer);
        }
        catch (EntryPointNotFoundException)
        {
            result = Native.FXStat(StatVersion, fd, buffer);
        }

        return (result, result == 0 ? 0 : Marshal.GetLastPInvokeError());
    }

    // _STAT_VER: 1 on x86-64, 0 for the generic layout.
    private static int StatVersion => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 1 : 0;

    private static bool IsStatxUnavailable(int errno)
    {
        if (errno is ENOSYS or EPERM)
        {
            s_statxUnavailable = true;
            return true;
        }

        return false;
    }

    // struct statx (linux/stat.h): stx_uid/stx_gid u32 @20/@24, stx_mode u16 @28, stx_ino u64 @32, stx_size u64 @40,
    // stx_dev_major/minor u32 @136/@140.
    private static UnixFileStatus FromStatx(ReadOnlySpan<byte> b)
    {
        var major = BitConverter.ToUInt32(b[136..]);
        var minor = BitConverter.ToUInt32(b[140..]);
        return new UnixFileStatus(MakeDev(major, minor), BitConverter.ToUInt64(b[32..]), BitConverter.ToInt64(b[40..]), BitConverter.ToUInt16(b[28..]),
            BitConverter.ToUInt32(b[20..]), BitConverter.ToUInt32(b[24..]));
    }

    // 64-bit Linux struct stat: st_dev @0 and st_ino @8 everywhere, st_size @48; st_mode, st_uid, st_gid are @24, @28, @32
    // on x86-64 (st_nlink is a u64 before them) and @16, @24, @28 in the generic layout (arm64, riscv64, loongarch64).
    private static UnixFileStatus FromStat(ReadOnlySpan<byte> b)
    {
        var x64 = RuntimeInformation.ProcessArchitecture == Architecture.X64;
        var (mode, uid, gid) = x64 ? (24, 28, 32) : (16, 24, 28);
        return new UnixFileStatus(BitConverter.ToUInt64(b), BitConverter.ToUInt64(b[8..]), BitConverter.ToInt64(b[48..]), (int)BitConverter.ToUInt32(b[mode..]),
            BitConverter.ToUInt32(b[uid..]), BitConverter.ToUInt32(b[gid..]));
    }

    // glibc's gnu_dev_makedev, so identities read like `stat -c %d`.
    private static ulong MakeDev(ulong major, ulong minor) =>
        ((major & 0xfffff000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffffff00) << 12) | (minor & 0xff);

    private static bool IsMissing(int errno) => errno is ENOENT or ENOTDIR;

    private static IOException Failure(int errno, string what) =>
        new($"stat {what} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");

    private static byte[] NullTerminated(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    private static void EnsureSupported()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            throw new PlatformNotSupportedException("Following files by device and inode needs 64-bit Linux.");
        }
    }

    private static class Native
    {
        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        public static extern int Statx(int dirfd, byte[] pathname, int flags, uint mask, byte[] statxbuf);

        [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
        public static extern int Stat(byte[] pathname, byte[] statbuf);

        [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
        public static extern int FStat(int fd, byte[] statbuf);

        [DllImport("libc", EntryPoint = "__xstat", SetLastError = true)]
        public static extern int XStat(int version, byte[] pathname, byte[] statbuf);

        [DllImport("libc", EntryPoint = "__fxstat", SetLastError = true)]
        public static extern int FXStat(int version, int fd, byte[] statbuf);
    }
}
