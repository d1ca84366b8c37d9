using System.Runtime.InteropServices;

namespace Riposte.Execution;

/// <summary>
/// A running program started by <see cref="ProgramLauncher"/>: the parent's pipe ends, its exit, and a kill switch
/// for its process group. <see cref="Exited"/> completes as soon as the program exits, but the process is only
/// reaped once this object is disposed (or, after disposal, as soon as it exits): until then its pid, which is also
/// its process group id, cannot be reused, so <see cref="Kill"/> can never hit an unrelated group even when it is
/// called to finish off children that outlived the program. Always dispose, or a zombie stays behind.
/// </summary>
public sealed class LaunchedProgram : IDisposable
{
    // siginfo_t on 64-bit Linux: si_code at 8, then (after alignment padding) si_pid at 16 and si_status at 24.
    private const int SiCodeOffset = 8;
    private const int SiPidOffset = 16;
    private const int SiStatusOffset = 24;
    private const int CldExited = 1;

    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<ProgramExit> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PipeEndStream _stdin;
    private readonly PipeEndStream? _stdout;
    private readonly PipeEndStream? _stderr;
    private bool _hasExited;
    private bool _reaped;
    private bool _disposed;

    internal LaunchedProgram(int pid, PipeEndStream stdin, PipeEndStream? stdout, PipeEndStream? stderr, int pidFd)
    {
        ProcessId = pid;
        _stdin = stdin;
        _stdout = stdout;
        _stderr = stderr;
        if (pidFd >= 0)
        {
            _ = WatchPidFdAsync(pidFd);
        }
        else
        {
            // No pidfd (kernel < 5.3, or a seccomp profile that refuses it): one dedicated thread per program.
            _ = Task.Factory.StartNew(WatchBlocking, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    /// <summary>The program's process id; it is also its session and process group id (the program calls setsid).</summary>
    public int ProcessId { get; }

    /// <summary>The write end of the program's stdin.</summary>
    public Stream StandardInput => _stdin;

    /// <summary>The read end of the program's stdout, or null when it goes to /dev/null.</summary>
    public Stream? StandardOutput => _stdout;

    /// <summary>The read end of the program's stderr, or null when it goes to /dev/null.</summary>
    public Stream? StandardError => _stderr;

    /// <summary>Completes when the program has exited.</summary>
    public Task<ProgramExit> Exited => _exited.Task;

    internal PipeEndStream StandardInputPipe => _stdin;

    internal PipeEndStream? StandardOutputPipe => _stdout;

    internal PipeEndStream? StandardErrorPipe => _stderr;

    /// <summary>
    /// Sends SIGKILL to the program's whole process group (it is the group leader), which takes with it every
    /// descendant that stayed in the group, even after the program itself has exited.
    /// </summary>
    /// <returns>True when the signal was sent; false after disposal, when the process may already be released.</returns>
    public bool Kill()
    {
        lock (_gate)
        {
            if (_reaped)
            {
                return false;
            }

            // The unreaped leader keeps the group alive, so ESRCH cannot happen here.
            return LibC.Kill(-ProcessId, LibC.SIGKILL) == 0;
        }
    }

    /// <summary>
    /// Closes the parent's pipe ends and releases the process: reaped now if it has exited, otherwise as soon as it
    /// does. A program still running is not killed (call <see cref="Kill"/> first for that).
    /// </summary>
    public void Dispose()
    {
        _stdin.Dispose();
        _stdout?.Dispose();
        _stderr?.Dispose();
        lock (_gate)
        {
            _disposed = true;
            if (_hasExited)
            {
                ReapLocked();
            }
        }
    }

    private async Task WatchPidFdAsync(int pidFd)
    {
        var info = Marshal.AllocHGlobal(LibC.OpaqueStructBytes);
        try
        {
            while (true)
            {
                await PollReactor.Shared.WaitAsync(pidFd, LibC.POLLIN, CancellationToken.None).ConfigureAwait(false);
                if (Observe(info, LibC.WNOHANG))
                {
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            _exited.TrySetException(ex);
        }
        finally
        {
            Marshal.FreeHGlobal(info);
            _ = LibC.Close(pidFd);
        }
    }

    private void WatchBlocking()
    {
        var info = Marshal.AllocHGlobal(LibC.OpaqueStructBytes);
        try
        {
            while (!Observe(info, 0))
            {
            }
        }
        catch (Exception ex)
        {
            _exited.TrySetException(ex);
        }
        finally
        {
            Marshal.FreeHGlobal(info);
        }
    }

    /// <summary>
    /// waitid(WNOWAIT): learns the exit without reaping. True once the program has exited (or cannot be waited
    /// for: ECHILD, when someone else reaped it because SIGCHLD is ignored in this process).
    /// </summary>
    private bool Observe(nint info, int options)
    {
        Marshal.WriteInt32(info, SiPidOffset, 0);
        ProgramExit exit;
        if (LibC.WaitId(LibC.P_PID, ProcessId, info, LibC.WEXITED | LibC.WNOWAIT | options) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR)
            {
                return false;
            }

            lock (_gate)
            {
                _hasExited = true;
                _reaped = true;
            }

            exit = default;
        }
        else
        {
            if (Marshal.ReadInt32(info, SiPidOffset) == 0)
            {
                return false; // WNOHANG: not exited yet (a spurious wake-up).
            }

            var code = Marshal.ReadInt32(info, SiCodeOffset);
            var status = Marshal.ReadInt32(info, SiStatusOffset);
            exit = code == CldExited ? new ProgramExit(status, null) : new ProgramExit(null, status);
            lock (_gate)
            {
                _hasExited = true;
                if (_disposed)
                {
                    ReapLocked();
                }
            }
        }

        _exited.TrySetResult(exit);
        return true;
    }

    private void ReapLocked()
    {
        if (_reaped)
        {
            return;
        }

        while (LibC.WaitPid(ProcessId, out _, LibC.WNOHANG) < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR)
        {
        }

        _reaped = true;
    }
}
