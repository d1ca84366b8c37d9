using System.Runtime.InteropServices;

namespace Riposte.Execution;

/// <summary>
/// The few libc entry points the launcher needs, declared with blittable signatures so that no unsafe code and no
/// generated marshalling are involved (<c>LibraryImport</c> would need <c>AllowUnsafeBlocks</c>). Constants are the
/// Linux values shared by x86-64 and arm64.
/// </summary>
internal static class LibC
{
    // "libc.so.6" rather than "libc": the bare name can resolve to glibc's libc.so linker script on systems
    // with the development package installed, which dlopen rejects.
    private const string Lib = "libc.so.6";

    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int ENOEXEC = 8;
    public const int ECHILD = 10;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int EPIPE = 32;
    public const int ENOSYS = 38;
    public const int ELOOP = 40;

    public const int O_WRONLY = 0x1;
    public const int O_RDWR = 0x2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_APPEND = 0x400;
    public const int O_NONBLOCK = 0x800;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;

    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int F_DUPFD_CLOEXEC = 1030;

    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;

    public const int SIGKILL = 9;
    public const int WNOHANG = 1;
    public const int WEXITED = 4;
    public const int WNOWAIT = 0x01000000;
    public const int P_PID = 1;

    /// <summary><c>SYS_pidfd_open</c>: the same number on every architecture (new syscalls are unified).</summary>
    public const long SYS_pidfd_open = 434;

    /// <summary>Generous sizes for glibc's opaque types (80, 336 and 128 bytes on x86-64).</summary>
    public const int OpaqueStructBytes = 1024;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport(Lib, EntryPoint = "posix_spawn_file_actions_init")]
    public static extern int PosixSpawnFileActionsInit(nint actions);

    [DllImport(Lib, EntryPoint = "posix_spawn_file_actions_destroy")]
    public static extern int PosixSpawnFileActionsDestroy(nint actions);

    [DllImport(Lib, EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static extern int PosixSpawnFileActionsAddDup2(nint actions, int fd, int newFd);

    [DllImport(Lib, EntryPoint = "posix_spawn_file_actions_addopen")]
    public static extern int PosixSpawnFileActionsAddOpen(nint actions, int fd, nint path, int flags, uint mode);

    [DllImport(Lib, EntryPoint = "posix_spawn_file_actions_addclose")]
    public static extern int PosixSpawnFileActionsAddClose(nint actions, int fd);

    /// <summary>glibc 2.34+ only: check <see cref="HasAddCloseFrom"/> before calling.</summary>
    [DllImport(Lib, EntryPoint = "posix_spawn_file_actions_addclosefrom_np")]
    public static extern int PosixSpawnFileActionsAddCloseFrom(nint actions, int lowFd);

    /// <summary>Whether this libc has <c>posix_spawn_file_actions_addclosefrom_np</c> (glibc 2.34+; not musl).</summary>
    public static bool HasAddCloseFrom { get; } =
        NativeLibrary.TryLoad(Lib, out var libc) && NativeLibrary.TryGetExport(libc, "posix_spawn_file_actions_addclosefrom_np", out _);

    [DllImport(Lib, EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    public static extern int PosixSpawnFileActionsAddChdir(nint actions, nint path);

    [DllImport(Lib, EntryPoint = "posix_spawnattr_init")]
    public static extern int PosixSpawnAttrInit(nint attributes);

    [DllImport(Lib, EntryPoint = "posix_spawnattr_destroy")]
    public static extern int PosixSpawnAttrDestroy(nint attributes);

    [DllImport(Lib, EntryPoint = "posix_spawnattr_setflags")]
    public static extern int PosixSpawnAttrSetFlags(nint attributes, short flags);

    [DllImport(Lib, EntryPoint = "posix_spawnattr_setsigmask")]
    public static extern int PosixSpawnAttrSetSigMask(nint attributes, nint signals);

    [DllImport(Lib, EntryPoint = "posix_spawnattr_setsigdefault")]
    public static extern int PosixSpawnAttrSetSigDefault(nint attributes, nint signals);

    [DllImport(Lib, EntryPoint = "sigemptyset")]
    public static extern int SigEmptySet(nint set);

    [DllImport(Lib, EntryPoint = "sigfillset")]
    public static extern int SigFillSet(nint set);

    /// <summary>Returns an error number (0 on success); errno is not used.</summary>
    [DllImport(Lib, EntryPoint = "posix_spawn")]
    public static extern int PosixSpawn(out int pid, nint path, nint fileActions, nint attributes, nint argv, nint envp);

    [DllImport(Lib, EntryPoint = "pipe2", SetLastError = true)]
    public static extern int Pipe2([Out] int[] fds, int flags);

    // fcntl is variadic; on the x86-64 and arm64 Linux ABIs an int vararg travels exactly like a fixed int.
    [DllImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    public static extern int Fcntl(int fd, int command, int argument);

    [DllImport(Lib, EntryPoint = "open", SetLastError = true)]
    public static extern int Open(byte[] path, int flags, uint mode);

    [DllImport(Lib, EntryPoint = "geteuid")]
    public static extern uint GetEffectiveUid();

    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;

    [DllImport(Lib, EntryPoint = "flock", SetLastError = true)]
    public static extern int Flock(SafeHandle fd, int operation);

    /// <summary><c>access(path, F_OK)</c> with the real uid: -1 with ENOENT when missing, EACCES when a directory is closed to us.</summary>
    [DllImport(Lib, EntryPoint = "access", SetLastError = true)]
    public static extern int Access(byte[] path, int mode);

    [DllImport(Lib, EntryPoint = "fchmod", SetLastError = true)]
    public static extern int FChmod(SafeHandle fd, uint mode);

    [DllImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int fd);

    [DllImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static extern nint Read(SafeHandle fd, ref byte buffer, nint count);

    [DllImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static extern nint Write(SafeHandle fd, ref byte buffer, nint count);

    [DllImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static extern nint ReadCounter(int fd, out ulong value, nint count);

    [DllImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static extern nint WriteCounter(int fd, ref ulong value, nint count);

    [DllImport(Lib, EntryPoint = "eventfd", SetLastError = true)]
    public static extern int EventFd(uint initialValue, int flags);

    [DllImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static extern int Poll([In, Out] PollFd[] fds, nuint count, int timeoutMilliseconds);

    [DllImport(Lib, EntryPoint = "waitpid", SetLastError = true)]
    public static extern int WaitPid(int pid, out int status, int options);

    /// <summary><c>waitid(P_PID, pid, info, options)</c>; <paramref name="info"/> is a native siginfo_t buffer.</summary>
    [DllImport(Lib, EntryPoint = "waitid", SetLastError = true)]
    public static extern int WaitId(int idType, int id, nint info, int options);

    [DllImport(Lib, EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);

    // syscall is variadic too; integer arguments are passed in the same registers as for a fixed signature.
    [DllImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    public static extern long Syscall(long number, int argument1, int argument2);

    /// <summary><paramref name="path"/> as the NUL-terminated UTF-8 bytes the calls above take.</summary>
    public static byte[] PathBytes(string path) => System.Text.Encoding.UTF8.GetBytes(path + "\0");

    /// <summary>The text strerror gives for <paramref name="errno"/> (e.g. "No such file or directory").</summary>
    public static string StrError(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
