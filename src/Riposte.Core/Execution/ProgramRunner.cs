namespace Riposte.Execution;

/// <summary>
/// Runs response programs with wazuh-execd's stdin/stdout handshake (spec §5.3–5.5), adding what execd lacks: a
/// deadline for the control line and for the whole run (the process group is killed past either), cancellation,
/// and bounded capture of stdout and stderr for the audit trail. Never throws for a program's misbehaviour or a
/// failed spawn; those are outcomes.
/// </summary>
public sealed class ProgramRunner
{
    /// <summary>execd reads the control line with <c>fgets</c> into an 8 KiB buffer: at most 8191 bytes, newline included.</summary>
    public const int ControlLineMaxBytes = 8191;

    /// <summary>How long to wait for a SIGKILLed program to be reaped before giving up on its status.</summary>
    private static readonly TimeSpan s_reapAfterKill = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _timeProvider;
    private readonly ProgramLauncher _launcher;

    /// <summary>Creates a runner that times runs with <paramref name="timeProvider"/>.</summary>
    public ProgramRunner(TimeProvider timeProvider)
        : this(timeProvider, new ProgramLauncher())
    {
    }

    /// <summary>Creates a runner that starts programs with <paramref name="launcher"/>.</summary>
    public ProgramRunner(TimeProvider timeProvider, ProgramLauncher launcher)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(launcher);
        _timeProvider = timeProvider;
        _launcher = launcher;
    }

    /// <summary>
    /// An add run: writes <paramref name="firstLine"/> and a newline to stdin, reads one control line from stdout,
    /// asks <paramref name="decide"/> for the second line (null: send none), writes it, closes stdin and waits for
    /// the exit. When stdout ends before any byte nothing else is sent (<see cref="RunOutcome.NoControlLine"/>).
    /// Unlike execd, stdout keeps being read (and captured) after the handshake until the program exits.
    /// </summary>
    /// <param name="invocation">The program.</param>
    /// <param name="firstLine">The add message, without newline.</param>
    /// <param name="decide">Given the control line (without line ending), returns the second line (without newline) or
    /// null; it may wait (e.g. for a per-key lock) and gets a token cancelled at the run deadline.</param>
    /// <param name="limits">Timeouts and output limit.</param>
    /// <param name="cancellationToken">Cancels the run; the program is then killed (<see cref="RunOutcome.Cancelled"/>).</param>
    /// <param name="answered">
    /// Called once the second line is in the program's stdin pipe: from then on the program reads it even if this
    /// process dies. A failure there is the caller's to log; the run goes on.
    /// </param>
    public async Task<ProgramRunResult> RunAddAsync(
        ProgramInvocation invocation,
        ReadOnlyMemory<byte> firstLine,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<ReadOnlyMemory<byte>?>> decide,
        ProgramLimits limits,
        CancellationToken cancellationToken,
        Func<ValueTask>? answered = null)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(decide);
        Validate(limits);

        var started = _timeProvider.GetTimestamp();
        using var timers = new RunTimers(limits, _timeProvider, cancellationToken);
        if (!TryLaunch(invocation, LaunchOptions.AddRun, out var program, out var spawnError))
        {
            return SpawnFailed(spawnError, started);
        }

        using (program)
        {
            var stdout = new OutputCapture(limits.OutputLimitBytes, ControlLineMaxBytes);
            var stderr = new OutputCapture(limits.OutputLimitBytes);
            using var stopPumps = new CancellationTokenSource();
            var pumps = Task.WhenAll(
                stdout.PumpAsync(program.StandardOutputPipe!, stopPumps.Token),
                stderr.PumpAsync(program.StandardErrorPipe!, stopPumps.Token));

            ControlLine? controlLine = null;
            byte[]? answer = null;
            ProgramExit exit = default;
            RunOutcome outcome;
            string? error = null;
            // Written while we wait for the control line: a program may answer before reading all its input.
            var firstWrite = WriteLineAsync(program.StandardInputPipe, firstLine, timers.Run);
            var awaitingControlLine = true;
            try
            {
                controlLine = await stdout.ControlLine.WaitAsync(timers.ControlLine).ConfigureAwait(false);
                awaitingControlLine = false;
                if (controlLine is null)
                {
                    // execd: "won't be added to timeout list"; it closes the pipes and waits.
                    program.StandardInputPipe.Dispose();
                    outcome = RunOutcome.NoControlLine;
                }
                else
                {
                    await firstWrite.WaitAsync(timers.Run).ConfigureAwait(false);
                    var decision = await decide(controlLine.Bytes, timers.Run).ConfigureAwait(false);
                    if (decision is { } second)
                    {
                        answer = second.ToArray();
                        await WriteLineAsync(program.StandardInputPipe, second, timers.Run).ConfigureAwait(false);
                        if (answered is not null)
                        {
                            await answered().ConfigureAwait(false);
                        }
                    }

                    program.StandardInputPipe.Dispose();
                    outcome = RunOutcome.Completed;
                }

                exit = await program.Exited.WaitAsync(timers.Run).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timers.Run.IsCancellationRequested || (awaitingControlLine && timers.ControlLine.IsCancellationRequested))
            {
                (outcome, error) = timers.Explain();
                exit = await KillAsync(program).ConfigureAwait(false);
            }
            catch
            {
                // The decision callback failed: the program is waiting for a second line nobody will send.
                program.Kill();
                throw;
            }
            finally
            {
                await StopAsync(program, firstWrite, pumps, stopPumps).ConfigureAwait(false);
            }

            return new ProgramRunResult(
                outcome,
                exit.ExitCode,
                exit.Signal,
                controlLine?.Bytes,
                controlLine?.Truncated ?? false,
                answer,
                stdout.Text,
                stderr.Text,
                stdout.Truncated || stderr.Truncated,
                _timeProvider.GetElapsedTime(started),
                error);
        }
    }

    /// <summary>
    /// A delete run: writes <paramref name="line"/> and a newline to stdin, closes it and waits for the exit. As in
    /// execd stdout goes to /dev/null; stderr is captured (execd discards it).
    /// </summary>
    /// <param name="invocation">The program.</param>
    /// <param name="line">The delete message, without newline.</param>
    /// <param name="limits">The run timeout and output limit (the control line timeout does not apply).</param>
    /// <param name="cancellationToken">Cancels the run; the program is then killed (<see cref="RunOutcome.Cancelled"/>).</param>
    public async Task<ProgramRunResult> RunDeleteAsync(
        ProgramInvocation invocation,
        ReadOnlyMemory<byte> line,
        ProgramLimits limits,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        Validate(limits);

        var started = _timeProvider.GetTimestamp();
        using var timers = new RunTimers(limits with { ControlLineTimeout = Timeout.InfiniteTimeSpan }, _timeProvider, cancellationToken);
        if (!TryLaunch(invocation, LaunchOptions.DeleteRun, out var program, out var spawnError))
        {
            return SpawnFailed(spawnError, started);
        }

        using (program)
        {
            var stderr = new OutputCapture(limits.OutputLimitBytes);
            using var stopPumps = new CancellationTokenSource();
            var pumps = stderr.PumpAsync(program.StandardErrorPipe!, stopPumps.Token);
            ProgramExit exit;
            RunOutcome outcome;
            string? error = null;
            var write = WriteLineAsync(program.StandardInputPipe, line, timers.Run);
            try
            {
                await write.WaitAsync(timers.Run).ConfigureAwait(false);
                program.StandardInputPipe.Dispose();
                exit = await program.Exited.WaitAsync(timers.Run).ConfigureAwait(false);
                outcome = RunOutcome.Completed;
            }
            catch (OperationCanceledException) when (timers.Run.IsCancellationRequested)
            {
                (outcome, error) = timers.Explain();
                exit = await KillAsync(program).ConfigureAwait(false);
            }
            finally
            {
                await StopAsync(program, write, pumps, stopPumps).ConfigureAwait(false);
            }

            return new ProgramRunResult(
                outcome,
                exit.ExitCode,
                exit.Signal,
                null,
                false,
                null,
                string.Empty,
                stderr.Text,
                stderr.Truncated,
                _timeProvider.GetElapsedTime(started),
                error);
        }
    }

    private static void Validate(ProgramLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.ControlLineTimeout <= TimeSpan.Zero && limits.ControlLineTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(limits), limits.ControlLineTimeout, "The control line timeout must be positive or infinite.");
        }

        if (limits.RunTimeout <= TimeSpan.Zero && limits.RunTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(limits), limits.RunTimeout, "The run timeout must be positive or infinite.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(limits.OutputLimitBytes, nameof(limits));
    }

    private bool TryLaunch(ProgramInvocation invocation, LaunchOptions options, out LaunchedProgram program, out string error)
    {
        try
        {
            program = _launcher.Launch(invocation, options);
            error = string.Empty;
            return true;
        }
        catch (ProgramLaunchException ex)
        {
            program = null!;
            // Without the "(1317): Could not launch command" prefix: the engine adds it when it describes the run.
            error = ex.Detail;
            return false;
        }
    }

    private ProgramRunResult SpawnFailed(string error, long started) =>
        new(RunOutcome.SpawnFailed, null, null, null, false, null, string.Empty, string.Empty, false, _timeProvider.GetElapsedTime(started), error);

    /// <summary>Writes <paramref name="payload"/> + "\n" in one write; false when the program no longer reads stdin.</summary>
    private static async Task<bool> WriteLineAsync(PipeEndStream stdin, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var buffer = new byte[payload.Length + 1];
        payload.CopyTo(buffer);
        buffer[^1] = (byte)'\n';
        try
        {
            await stdin.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (IOException)
        {
            // EPIPE: the program exited (or closed stdin) without reading; execd ignores SIGPIPE and goes on.
            return false;
        }
        catch (ObjectDisposedException)
        {
            // We closed stdin ourselves (EOF on stdout) while the write was still waiting for room.
            return false;
        }
    }

    private async Task<ProgramExit> KillAsync(LaunchedProgram program)
    {
        program.Kill();
        try
        {
            return await program.Exited.WaitAsync(s_reapAfterKill, _timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Stuck in the kernel (D state); it is still reaped in the background whenever it dies.
            return default;
        }
    }

    /// <summary>Ends the stdin write and the output pumps once the program is gone (or abandoned).</summary>
    private static async Task StopAsync(LaunchedProgram program, Task<bool> write, Task pumps, CancellationTokenSource stopPumps)
    {
        program.StandardInputPipe.Dispose();
        await ((Task)write).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await stopPumps.CancelAsync().ConfigureAwait(false);
        await pumps.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>The run's deadlines, driven by the injected clock, and which one fired.</summary>
    private sealed class RunTimers : IDisposable
    {
        private readonly ProgramLimits _limits;
        private readonly CancellationToken _caller;
        private readonly CancellationTokenSource _runTimeout;
        private readonly CancellationTokenSource _controlTimeout;
        private readonly CancellationTokenSource _run;
        private readonly CancellationTokenSource _controlLine;

        public RunTimers(ProgramLimits limits, TimeProvider timeProvider, CancellationToken caller)
        {
            _limits = limits;
            _caller = caller;
            _runTimeout = new CancellationTokenSource(limits.RunTimeout, timeProvider);
            _controlTimeout = new CancellationTokenSource(limits.ControlLineTimeout, timeProvider);
            _run = CancellationTokenSource.CreateLinkedTokenSource(caller, _runTimeout.Token);
            _controlLine = CancellationTokenSource.CreateLinkedTokenSource(_run.Token, _controlTimeout.Token);
        }

        /// <summary>Cancelled by the caller or at the run deadline.</summary>
        public CancellationToken Run => _run.Token;

        /// <summary>Also cancelled at the control line deadline.</summary>
        public CancellationToken ControlLine => _controlLine.Token;

        public (RunOutcome Outcome, string Error) Explain()
        {
            if (_caller.IsCancellationRequested)
            {
                return (RunOutcome.Cancelled, "run cancelled; process group killed");
            }

            return _runTimeout.IsCancellationRequested
                ? (RunOutcome.RunTimeout, $"run exceeded {_limits.RunTimeout}; process group killed")
                : (RunOutcome.ControlLineTimeout, $"no control line within {_limits.ControlLineTimeout}; process group killed");
        }

        public void Dispose()
        {
            _controlLine.Dispose();
            _run.Dispose();
            _controlTimeout.Dispose();
            _runTimeout.Dispose();
        }
    }
}
