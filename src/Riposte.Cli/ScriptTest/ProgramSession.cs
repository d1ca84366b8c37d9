using Riposte.Execution;

namespace Riposte.Cli.ScriptTest;

/// <summary>
/// One run of the program under test, started by the engine's <see cref="ProgramLauncher"/> (so cwd, argv0, setsid
/// and signal dispositions are exactly execd's), with stdin under the tester's control: unlike
/// <see cref="ProgramRunner"/>, which closes stdin as soon as it can, the tester keeps it open after the first line as
/// execd does, and decides itself when to close it.
/// </summary>
internal sealed class ProgramSession : IDisposable
{
    /// <summary>Bytes of stdout and of stderr kept per run.</summary>
    public const int OutputLimitBytes = 64 * 1024;

    /// <summary>How long to wait for a SIGKILLed program to be reaped.</summary>
    private static readonly TimeSpan s_reapAfterKill = TimeSpan.FromSeconds(5);

    private readonly LaunchedProgram _program;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly CancellationTokenSource _stopPumps = new();
    private readonly Task _pumps;
    private bool _stdinClosed;

    private ProgramSession(LaunchedProgram program, TimeProvider time, long started)
    {
        _program = program;
        _time = time;
        _started = started;
        Stdout = program.StandardOutput is null ? null : new OutputWatcher(time, started, OutputLimitBytes);
        Stderr = program.StandardError is null ? null : new OutputWatcher(time, started, OutputLimitBytes);
        _pumps = Task.WhenAll(
            Stdout?.PumpAsync(program.StandardOutput!, _stopPumps.Token) ?? Task.CompletedTask,
            Stderr?.PumpAsync(program.StandardError!, _stopPumps.Token) ?? Task.CompletedTask);
    }

    /// <summary>The program's stdout, or null when it goes to /dev/null (delete runs, as in execd).</summary>
    public OutputWatcher? Stdout { get; }

    /// <summary>The program's stderr (execd discards it; the tester reports it).</summary>
    public OutputWatcher? Stderr { get; }

    /// <summary>Time since the spawn.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>True once the program itself has exited.</summary>
    public bool HasExited => _program.Exited.IsCompleted;

    /// <summary>True once the tester killed the program's process group.</summary>
    public bool KilledByTester { get; private set; }

    /// <summary>Starts <paramref name="invocation"/>.</summary>
    /// <exception cref="ProgramLaunchException">The program could not be started.</exception>
    public static ProgramSession Start(ProgramInvocation invocation, LaunchOptions options, TimeProvider time)
    {
        var started = time.GetTimestamp();
        var program = new ProgramLauncher().Launch(invocation, options);
        return new ProgramSession(program, time, started);
    }

    /// <summary>Writes <paramref name="line"/> and a newline to stdin; false when the program no longer reads it.</summary>
    public async Task<bool> WriteLineAsync(ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
    {
        var buffer = new byte[line.Length + 1];
        line.CopyTo(buffer);
        buffer[^1] = (byte)'\n';
        try
        {
            await _program.StandardInput.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (IOException)
        {
            // EPIPE: the program exited or closed stdin without reading; execd ignores SIGPIPE and goes on.
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Closes stdin: the program's next read past what was written returns end of file.</summary>
    public void CloseStdin()
    {
        _stdinClosed = true;
        _program.StandardInput.Dispose();
    }

    /// <summary>True once the tester closed stdin.</summary>
    public bool StdinClosed => _stdinClosed;

    /// <summary>The exit, once <see cref="HasExited"/>.</summary>
    public ProgramExit Exit => _program.Exited.IsCompletedSuccessfully ? _program.Exited.Result : default;

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, re-checking it whenever an output changes or the program exits,
    /// until <paramref name="until"/> (time since the spawn).
    /// </summary>
    /// <returns>True when the condition held in time.</returns>
    public async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan until, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Taken before the check, so a change between the check and the wait is not missed. An exit already seen
            // is left out, or the loop would spin.
            List<Task> wakeUps = [];
            if (Stdout is not null)
            {
                wakeUps.Add(Stdout.NextChange);
            }

            if (Stderr is not null)
            {
                wakeUps.Add(Stderr.NextChange);
            }

            if (!HasExited)
            {
                wakeUps.Add(_program.Exited);
            }

            if (condition())
            {
                return true;
            }

            var remaining = until - Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                return false;
            }

            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wakeUps.Add(Task.Delay(remaining, _time, timer.Token));
            await Task.WhenAny(wakeUps).ConfigureAwait(false);
            await timer.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Kills the program's whole process group and waits for it to be reaped.</summary>
    public async Task KillAsync()
    {
        if (!HasExited)
        {
            KilledByTester = true;
        }

        _program.Kill();
        try
        {
            await _program.Exited.WaitAsync(s_reapAfterKill, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Stuck in the kernel; it is reaped in the background whenever it dies.
        }
    }

    /// <summary>
    /// After the exit: lets the output pipes reach end of file for up to <paramref name="grace"/> (everything the
    /// program wrote is already in them), then stops reading, since a background child may keep them open.
    /// </summary>
    public async Task FinishOutputAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        var until = Elapsed + grace;
        _ = await WaitUntilAsync(() => (Stdout?.Ended ?? true) && (Stderr?.Ended ?? true), until, cancellationToken).ConfigureAwait(false);
        await _stopPumps.CancelAsync().ConfigureAwait(false);
        await _pumps.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// Kills whatever is left of the process group (a test must not leave programs or their background children
    /// running, in particular in a temporary home about to be deleted) and releases the process.
    /// </summary>
    public void Dispose()
    {
        _program.Kill();
        _stopPumps.Cancel();
        _program.Dispose();
        _stopPumps.Dispose();
    }
}
