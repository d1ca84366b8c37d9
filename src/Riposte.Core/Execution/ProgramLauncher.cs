using System.Collections;
using System.Runtime.InteropServices;
using System.Text;

namespace Riposte.Execution;

/// <summary>
/// Starts a response program exactly as wazuh-execd does on Linux: working directory = the Wazuh home,
/// <c>argv = [relative path]</c>, environment inherited, no shell, in a new session (setsid), with default signal
/// dispositions and an empty signal mask. <see cref="System.Diagnostics.Process"/> cannot do this (it resolves a
/// relative program against the parent's working directory and cannot call setsid), hence posix_spawn.
/// Safe to call from many threads at once: every descriptor is created close-on-exec, so a program started by
/// another thread never inherits a pipe end that would keep this program's pipe open.
/// </summary>
/// <remarks>
/// The program receives exactly descriptors 0, 1 and 2. Close-on-exec alone cannot promise that: Riposte may itself
/// have inherited descriptors without it, and the .NET runtime and glibc briefly hold some on other threads (the GC
/// reads <c>/proc/meminfo</c>, a new thread reads <c>/sys/devices/system/cpu/possible</c>, naming a thread opens
/// <c>/proc/self/task/N/comm</c>, the loader opens assemblies, all without <c>O_CLOEXEC</c>); a spawn at that moment
/// would hand one to the program, which as root could then read or write it. So the child closes everything above 2
/// before exec: <c>posix_spawn_file_actions_addclosefrom_np</c> on glibc 2.34+ (exact, done in the child), else one
/// <c>addclose</c> per descriptor listed in <c>/proc/self/fd</c> at spawn time (best effort: one opened by another
/// thread between the listing and the spawn can still pass).
/// </remarks>
public sealed class ProgramLauncher
{
    /// <summary>Without /proc the fallback closes 3..1023: select()'s limit, below which nearly every descriptor lives.</summary>
    private const int FallbackCloseRange = 1021;

    private static readonly byte[] s_devNull = "/dev/null\0"u8.ToArray();
    private static readonly byte[] s_shell = "/bin/sh\0"u8.ToArray();

    /// <summary>
    /// Whether exits are awaited through a pidfd on the shared poll thread (the default) or, as on kernels without
    /// pidfd_open, by one blocking waiting thread per program. Tests turn it off to cover the fallback.
    /// </summary>
    internal bool UsePidFd { get; init; } = true;

    /// <summary>Whether <c>posix_spawn_file_actions_addclosefrom_np</c> is used when libc has it; tests turn it off to cover the fallback.</summary>
    internal bool UseCloseFrom { get; init; } = LibC.HasAddCloseFrom;

    /// <summary>Starts <paramref name="invocation"/> with stdin piped and stdout/stderr as <paramref name="options"/> says.</summary>
    /// <exception cref="ProgramLaunchException">The program could not be started (missing, not executable...).</exception>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    public LaunchedProgram Launch(ProgramInvocation invocation, LaunchOptions options)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(invocation.Home);
        ArgumentException.ThrowIfNullOrEmpty(invocation.RelativePath);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Running response programs is implemented for Linux only.");
        }

        int[] stdin = [-1, -1], stdout = [-1, -1], stderr = [-1, -1];
        using var native = new NativeArena();
        nint actions = 0, attributes = 0;
        bool actionsReady = false, attributesReady = false;
        PipeEndStream? stdinStream = null, stdoutStream = null, stderrStream = null;
        try
        {
            CreatePipe(stdin);
            if (options.Stdout == OutputTarget.Pipe)
            {
                CreatePipe(stdout);
            }

            if (options.Stderr == OutputTarget.Pipe)
            {
                CreatePipe(stderr);
            }

            // The child's ends are duplicated onto 0, 1 and 2 in that order; one that is itself 0-2 (possible when this
            // process runs with its standard streams closed) would be overwritten by an earlier dup2.
            MoveAboveStandardStreams(ref stdin[0]);
            MoveAboveStandardStreams(ref stdout[1]);
            MoveAboveStandardStreams(ref stderr[1]);

            // Our ends are wrapped before the spawn so that nothing can fail once a child exists.
            stdinStream = new PipeEndStream(TakeFd(ref stdin[1]), readable: false);
            stdoutStream = stdout[0] >= 0 ? new PipeEndStream(TakeFd(ref stdout[0]), readable: true) : null;
            stderrStream = stderr[0] >= 0 ? new PipeEndStream(TakeFd(ref stderr[0]), readable: true) : null;

            actions = native.AllocZeroed(LibC.OpaqueStructBytes);
            Check(LibC.PosixSpawnFileActionsInit(actions), "posix_spawn_file_actions_init");
            actionsReady = true;
            var devNull = native.Bytes(s_devNull);
            Check(LibC.PosixSpawnFileActionsAddDup2(actions, stdin[0], 0), "posix_spawn_file_actions_adddup2");
            AddOutput(actions, stdout[1], 1, devNull);
            AddOutput(actions, stderr[1], 2, devNull);
            Check(LibC.PosixSpawnFileActionsAddChdir(actions, native.String(invocation.Home)), "posix_spawn_file_actions_addchdir_np");
            // Last, after the dup2s have read their sources: the program keeps exactly 0, 1 and 2.
            AddCloseAboveStandardStreams(actions);

            attributes = native.AllocZeroed(LibC.OpaqueStructBytes);
            Check(LibC.PosixSpawnAttrInit(attributes), "posix_spawnattr_init");
            attributesReady = true;
            // The runtime ignores SIGPIPE and may block signals; ignored dispositions and the mask survive exec, and
            // a program must start as it would under execd.
            var emptySet = native.AllocZeroed(LibC.OpaqueStructBytes);
            var fullSet = native.AllocZeroed(LibC.OpaqueStructBytes);
            _ = LibC.SigEmptySet(emptySet);
            _ = LibC.SigFillSet(fullSet);
            // glibc's sigfillset leaves out its two internal signals (32 and 33), which posix_spawn then hands to the
            // child as ignored; under execd's fork+exec they start at default like every other signal.
            Marshal.WriteInt64(fullSet, Marshal.ReadInt64(fullSet) | (1L << 31) | (1L << 32));
            Check(LibC.PosixSpawnAttrSetSigMask(attributes, emptySet), "posix_spawnattr_setsigmask");
            Check(LibC.PosixSpawnAttrSetSigDefault(attributes, fullSet), "posix_spawnattr_setsigdefault");
            Check(LibC.PosixSpawnAttrSetFlags(attributes, LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGMASK | LibC.POSIX_SPAWN_SETSIGDEF), "posix_spawnattr_setflags");

            // The relative path, not Path.Combine(home, ...): it is resolved in the child after the chdir, and for a
            // script the kernel hands this very string to the interpreter, so "$0" reads as it does under execd.
            var program = native.String(invocation.RelativePath);
            var environment = BuildEnvironment(native);
            var error = LibC.PosixSpawn(out var pid, program, actions, attributes, native.PointerArray([program]), environment);
            if (error == LibC.ENOEXEC)
            {
                // execvp (which execd uses) runs a file without a #! line through /bin/sh; posix_spawn does not.
                var shell = native.Bytes(s_shell);
                error = LibC.PosixSpawn(out pid, shell, actions, attributes, native.PointerArray([shell, program]), environment);
            }

            if (error != 0)
            {
                throw new ProgramLaunchException(invocation.RelativePath, error);
            }

            // The child has its copies; ours would keep its stdin open and its output from ever reaching EOF.
            CloseFd(ref stdin[0]);
            CloseFd(ref stdout[1]);
            CloseFd(ref stderr[1]);
            return new LaunchedProgram(pid, stdinStream, stdoutStream, stderrStream, UsePidFd ? OpenPidFd(pid) : -1);
        }
        catch
        {
            stdinStream?.Dispose();
            stdoutStream?.Dispose();
            stderrStream?.Dispose();
            throw;
        }
        finally
        {
            foreach (var fd in (ReadOnlySpan<int>)[stdin[0], stdin[1], stdout[0], stdout[1], stderr[0], stderr[1]])
            {
                if (fd >= 0)
                {
                    _ = LibC.Close(fd);
                }
            }

            if (actionsReady)
            {
                _ = LibC.PosixSpawnFileActionsDestroy(actions);
            }

            if (attributesReady)
            {
                _ = LibC.PosixSpawnAttrDestroy(attributes);
            }
        }
    }

    private void AddCloseAboveStandardStreams(nint actions)
    {
        if (UseCloseFrom)
        {
            Check(LibC.PosixSpawnFileActionsAddCloseFrom(actions, 3), "posix_spawn_file_actions_addclosefrom_np");
            return;
        }

        // A descriptor closed before the spawn makes the child's close fail with EBADF, which glibc and musl ignore.
        foreach (var fd in OpenDescriptorsAboveStandardStreams())
        {
            Check(LibC.PosixSpawnFileActionsAddClose(actions, fd), "posix_spawn_file_actions_addclose");
        }
    }

    private static List<int> OpenDescriptorsAboveStandardStreams()
    {
        var result = new List<int>();
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                if (int.TryParse(Path.GetFileName(entry.AsSpan()), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var fd) && fd > 2)
                {
                    result.Add(fd);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc (a chroot, a hardened container): every descriptor the kernel would hand out first.
            result.Clear();
            result.AddRange(Enumerable.Range(3, FallbackCloseRange));
        }

        return result;
    }

    private static void AddOutput(nint actions, int pipeWriteEnd, int target, nint devNull)
    {
        if (pipeWriteEnd >= 0)
        {
            Check(LibC.PosixSpawnFileActionsAddDup2(actions, pipeWriteEnd, target), "posix_spawn_file_actions_adddup2");
        }
        else
        {
            // Opened by the child itself, so the parent holds no /dev/null descriptor at all.
            Check(LibC.PosixSpawnFileActionsAddOpen(actions, target, devNull, LibC.O_RDWR, 0), "posix_spawn_file_actions_addopen");
        }
    }

    /// <summary>The managed environment (what <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes), as Process.Start passes it.</summary>
    private static nint BuildEnvironment(NativeArena native)
    {
        var pointers = new List<nint>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            pointers.Add(native.String($"{entry.Key}={entry.Value}"));
        }

        return native.PointerArray(pointers);
    }

    private static int OpenPidFd(int pid)
    {
        var fd = LibC.Syscall(LibC.SYS_pidfd_open, pid, 0);
        // pidfds are close-on-exec by definition. Failure (ENOSYS, or EPERM under some seccomp profiles) falls
        // back to a waiting thread.
        return fd >= 0 ? (int)fd : -1;
    }

    private static void CreatePipe(int[] fds)
    {
        if (LibC.Pipe2(fds, LibC.O_CLOEXEC) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            fds[0] = fds[1] = -1;
            throw new ProgramLaunchException(errno, new IOException("pipe2 failed", errno));
        }
    }

    private static void MoveAboveStandardStreams(ref int fd)
    {
        if (fd is < 0 or > 2)
        {
            return;
        }

        var moved = LibC.Fcntl(fd, LibC.F_DUPFD_CLOEXEC, 3);
        if (moved < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ProgramLaunchException(errno, new IOException("fcntl(F_DUPFD_CLOEXEC) failed", errno));
        }

        _ = LibC.Close(fd);
        fd = moved;
    }

    private static void CloseFd(ref int fd)
    {
        if (fd >= 0)
        {
            _ = LibC.Close(fd);
            fd = -1;
        }
    }

    private static int TakeFd(ref int fd)
    {
        var taken = fd;
        fd = -1;
        return taken;
    }

    private static void Check(int error, string function)
    {
        if (error != 0)
        {
            var errno = error > 0 ? error : Marshal.GetLastPInvokeError();
            throw new ProgramLaunchException(errno, new IOException($"{function} failed", errno));
        }
    }

    /// <summary>Native memory for one spawn (strings, pointer arrays, opaque structs), all freed together.</summary>
    private sealed class NativeArena : IDisposable
    {
        private readonly List<nint> _blocks = [];

        public nint AllocZeroed(int bytes)
        {
            var block = Marshal.AllocHGlobal(bytes);
            _blocks.Add(block);
            Marshal.Copy(new byte[bytes], 0, block, bytes);
            return block;
        }

        /// <summary>A NUL-terminated UTF-8 copy of <paramref name="text"/>.</summary>
        public nint String(string text)
        {
            var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
            Encoding.UTF8.GetBytes(text, bytes);
            return Bytes(bytes);
        }

        public nint Bytes(byte[] bytes)
        {
            var block = Marshal.AllocHGlobal(bytes.Length);
            _blocks.Add(block);
            Marshal.Copy(bytes, 0, block, bytes.Length);
            return block;
        }

        /// <summary>A NULL-terminated array of pointers.</summary>
        public nint PointerArray(List<nint> pointers)
        {
            var block = Marshal.AllocHGlobal((pointers.Count + 1) * nint.Size);
            _blocks.Add(block);
            for (var i = 0; i < pointers.Count; i++)
            {
                Marshal.WriteIntPtr(block, i * nint.Size, pointers[i]);
            }

            Marshal.WriteIntPtr(block, pointers.Count * nint.Size, 0);
            return block;
        }

        public void Dispose()
        {
            foreach (var block in _blocks)
            {
                Marshal.FreeHGlobal(block);
            }
        }
    }
}
