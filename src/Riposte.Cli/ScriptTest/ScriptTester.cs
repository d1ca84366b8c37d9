using System.Globalization;
using System.Text;
using Riposte.Execution;
using Riposte.Protocol;
using Riposte.Protocol.Execd;
using ControlLine = Riposte.Protocol.Execd.ControlLine;

namespace Riposte.Cli.ScriptTest;

/// <summary>What to test and how.</summary>
/// <param name="Program">The program as given on the command line (for the report).</param>
/// <param name="Alert">The alert JSON object to send.</param>
/// <param name="Limit">The time limit of each step.</param>
/// <param name="Stateless">Test a stateless program: one add, and printing nothing is fine.</param>
internal sealed record ScriptTestOptions(string Program, ReadOnlyMemory<byte> Alert, TimeSpan Limit, bool Stateless);

/// <summary>
/// Drives a response program through wazuh-execd's protocol (spec §5.3–5.5) and names every violation: add #1
/// answered <c>continue</c>, add #2 of the same alert answered <c>abort</c>, then delete (or a single add for a
/// stateless program). The messages are the exact bytes execd would write, built by the engine's own
/// <see cref="ArMessageBuilder"/> and <see cref="ExecdMessage"/>; the program is started by the engine's
/// <see cref="ProgramLauncher"/>, so argv0, cwd, session and signals are execd's.
/// </summary>
internal sealed class ScriptTester
{
    /// <summary>A control line later than this is reported as a slow start.</summary>
    public static readonly TimeSpan SlowStartThreshold = TimeSpan.FromMilliseconds(100);

    /// <summary>analysisd's origin name in the messages (a cluster node name).</summary>
    private const string OriginName = "node01";

    /// <summary>
    /// After the control line, how long to look at what else the program does before answering: a following JSON
    /// line (noise before it), an exit (it does not wait for the answer). A conforming program is blocked reading
    /// its answer by then, so this costs only time.
    /// </summary>
    private static readonly TimeSpan s_settle = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a silent program gets to react once stdin is closed. A program blocked on reading to EOF reacts in
    /// milliseconds; a program merely slow (sleeping) does not, and must not be blamed for reading to EOF.
    /// </summary>
    private static readonly TimeSpan s_probe = TimeSpan.FromMilliseconds(500);

    /// <summary>After an exit, how long to wait for the output pipes to reach end of file.</summary>
    private static readonly TimeSpan s_exitGrace = TimeSpan.FromMilliseconds(200);

    private readonly ScriptHome _home;
    private readonly ScriptTestOptions _options;
    private readonly TimeProvider _time;

    public ScriptTester(ScriptHome home, ScriptTestOptions options, TimeProvider time)
    {
        _home = home;
        _options = options;
        _time = time;
    }

    private ProgramInvocation Invocation => new(_home.Path, _home.RelativePath);

    private TimeSpan Limit => _options.Limit;

    /// <summary>Runs every step and checks the program log.</summary>
    public async Task<ScriptTestReport> RunAsync(CancellationToken cancellationToken)
    {
        var report = new ScriptTestReport(_options.Program, _home.RelativePath, _home.Path, _home.Temporary, _options.Stateless, Limit);
        var messages = BuildMessages();
        var logSize = ProgramLogCheck.SizeBefore(_home.LogPath);

        var first = await AddStepAsync(report, 1, "add #1", messages.Add, messages.Continue, "continue", cancellationToken);
        if (!_options.Stateless && !report.Findings.Has(Findings.SpawnFailed, 1))
        {
            if (first.HandshakeCompleted)
            {
                var second = await AddStepAsync(report, 2, "add #2", messages.Add, messages.Abort, "abort", cancellationToken);
                CompareKeys(report, first, second);
            }
            else
            {
                // Without a control line execd has no rkey, so a second add would never be answered abort.
                report.Steps.Add(new StepReport(2, "add #2", "add", "abort") { Skipped = true, Outcome = "skipped: add #1 gave no usable control line" });
            }

            await DeleteStepAsync(report, 3, messages.Delete, cancellationToken);
        }

        report.Log = ProgramLogCheck.Check(_home, logSize, report.Findings);
        return report;
    }

    /// <summary>
    /// Why execd could not take a message built from <paramref name="alert"/> (a JSON object the command has read), or
    /// null when it can; checked before anything runs, as <see cref="RunAsync"/> cannot report it.
    /// </summary>
    public static string? WhyUnusable(ReadOnlySpan<byte> alert)
    {
        byte[] body;
        try
        {
            body = ArMessageBuilder.Build(OriginName, ArMessageBuilder.AnalysisdModule, "script-test0", [], alert);
        }
        catch (FormatException ex)
        {
            return ex.Message;
        }

        // The alert parsed alone and is embedded as cJSON prints it, so only the two levels it gains
        // (parameters.alert) can make execd's parse fail: cJSON's nesting limit.
        return ExecdMessage.TryParse(body, out _, out _)
            ? null
            : "execd would refuse every message built from it (1315): embedded in parameters.alert it nests deeper than cJSON's limit of 1000";
    }

    /// <summary>The four lines execd writes, from one analysisd body: add, continue, abort and the stored delete.</summary>
    private (byte[] Add, byte[] Continue, byte[] Abort, byte[] Delete) BuildMessages()
    {
        // The AR name is command + timeout; a stateless AR has timeout 0, a stateful one a real timeout.
        var arName = _home.Name + (_options.Stateless ? "0" : "600");
        var body = ArMessageBuilder.Build(OriginName, ArMessageBuilder.AnalysisdModule, arName, [], _options.Alert.Span);
        if (!ExecdMessage.TryParse(body, out var message, out var error))
        {
            throw new InvalidOperationException(error);
        }

        message!.PrepareForProgram(_home.RelativePath);
        return (message.With("add"), message.With("continue"), message.With("abort"), message.With("delete"));
    }

    private async Task<StepReport> AddStepAsync(
        ScriptTestReport report, int number, string name, byte[] add, byte[] answer, string answerName, CancellationToken cancellationToken)
    {
        var step = new StepReport(number, name, "add", answerName);
        report.Steps.Add(step);
        var findings = report.Findings;
        ProgramSession session;
        try
        {
            session = ProgramSession.Start(Invocation, LaunchOptions.AddRun, _time);
        }
        catch (ProgramLaunchException ex)
        {
            findings.Add(Findings.SpawnFailed, number, ex.Message);
            step.Outcome = "could not be started";
            return step;
        }

        using (session)
        {
            var stdout = session.Stdout!;
            step.Lines.Add(new ExchangedLine(LineDirection.ToProgram, Text(add), TimeSpan.Zero));
            // Written while we wait for the control line, as execd does (a program may answer before reading it all).
            var addWrite = session.WriteLineAsync(add, cancellationToken);

            // The first line, as execd's fgets sees it: a newline, or the end of the output.
            _ = await session.WaitUntilAsync(() => stdout.FirstNewlineAt is not null || stdout.Ended || session.HasExited, Limit, cancellationToken);
            if (session.HasExited && stdout.FirstNewlineAt is null && !stdout.Ended)
            {
                _ = await session.WaitUntilAsync(() => stdout.FirstNewlineAt is not null || stdout.Ended, session.Elapsed + s_exitGrace, cancellationToken);
            }
            else if (stdout.Ended && !session.HasExited)
            {
                // An exiting program's stdout reaches end of file just before its exit is seen; tell the two apart.
                _ = await session.WaitUntilAsync(() => session.HasExited, session.Elapsed + s_exitGrace, cancellationToken);
            }

            byte[]? controlLine = null;
            var terminated = false;
            var newlineAt = TimeSpan.Zero;
            var disturbed = false; // the tester killed it or closed stdin early: its exit says nothing about it
            if (stdout.FirstNewlineAt is { } firstNewline)
            {
                newlineAt = firstNewline;
                controlLine = FirstLine(stdout.Bytes);
                terminated = true;
                step.ControlLineAt = newlineAt;
                step.Lines.Add(new ExchangedLine(LineDirection.FromProgram, Text(controlLine), newlineAt));
                // A conforming program now blocks reading its answer; see what else it does meanwhile. The exit itself is
                // awaited, not the end of stdout, which comes first when a program exits.
                _ = await session.WaitUntilAsync(() => session.HasExited, Min(session.Elapsed + s_settle, Limit), cancellationToken);
            }
            else if (stdout.Any && (stdout.Ended || session.HasExited))
            {
                // fgets returns an unterminated line at end of file, so execd goes on with it.
                controlLine = stdout.Bytes;
                step.ControlLineAt = session.Elapsed;
                var how = session.HasExited ? "the program exited" : "it closed stdout";
                step.Lines.Add(new ExchangedLine(LineDirection.FromProgram, Text(controlLine), session.Elapsed, $"no newline; {how}"));
                findings.Add(Findings.NoNewline, number, $"{controlLine.Length} bytes, then {how}");
            }
            else if (stdout.Any)
            {
                var partial = stdout.Bytes;
                step.Lines.Add(new ExchangedLine(LineDirection.FromProgram, Text(partial), session.Elapsed, "no newline"));
                findings.Add(Findings.NoNewline, number,
                    $"{partial.Length} bytes without a newline, and still running after {Seconds(Limit)}: execd waits for the newline while the program waits for its answer");
                await session.KillAsync();
                step.Outcome = "killed at the time limit (waiting for each other)";
                disturbed = true;
            }
            else if (stdout.Ended || session.HasExited)
            {
                if (!_options.Stateless)
                {
                    findings.Add(Findings.NoControlLine, number, session.HasExited ? null : "it closed stdout and kept running");
                }
            }
            else
            {
                await ProbeStdinEofAsync(session, step, findings, cancellationToken);
                disturbed = true;
            }

            var noise = false;
            if (controlLine is not null && !session.KilledByTester)
            {
                noise = JudgeControlLine(step, controlLine, terminated, stdout.Bytes, findings);
                var exitedEarly = session.HasExited;
                step.HandshakeCompleted = !_options.Stateless && !disturbed;
                var delivered = await AnswerAsync(session, step, addWrite, answer, cancellationToken);
                if (terminated && !_options.Stateless && (exitedEarly || !delivered))
                {
                    findings.Add(Findings.NoWaitForAnswer, number, exitedEarly
                        ? $"it exited within {Ms(s_settle)} of the control line"
                        : "it no longer read stdin when the answer came");
                }
            }

            var phase = controlLine is null ? "after printing nothing" : $"after the {answerName} answer";
            if (!disturbed)
            {
                await WaitForExitAsync(session, step, findings, phase, cancellationToken);
            }

            await session.FinishOutputAsync(s_exitGrace, cancellationToken);
            if (terminated && AfterFirstLine(stdout.Bytes) is { Length: > 0 } rest)
            {
                AddLaterLines(step, rest, stdout.NewlineTimes, session.Elapsed,
                    noise ? "after the first line: execd never reads it" : "more output after the control line");
                if (!noise)
                {
                    findings.Add(Findings.ExtraStdout, number, $"\"{TextShortener.Shorten(Text(rest).TrimEnd('\n'), 80)}\"");
                }
            }

            if (terminated && step.ControlLineAt > SlowStartThreshold)
            {
                findings.Add(Findings.SlowStart, number, $"{Ms(step.ControlLineAt.Value)} to the control line");
            }

            Finish(session, step, findings, phase, disturbed);
        }

        return step;
    }

    /// <summary>
    /// Nothing on stdout within the limit, the program still running and stdout still open. Either it is slow, or it
    /// waits for end of file on stdin, which execd never gives it: closing stdin tells which, since a program blocked
    /// on that read reacts at once.
    /// </summary>
    private async Task ProbeStdinEofAsync(ProgramSession session, StepReport step, FindingList findings, CancellationToken cancellationToken)
    {
        var stdout = session.Stdout!;
        var closedAt = session.Elapsed;
        session.CloseStdin();
        var reacted = await session.WaitUntilAsync(() => stdout.Any || stdout.Ended || session.HasExited, closedAt + s_probe, cancellationToken);
        if (reacted)
        {
            var reaction = session.Elapsed - closedAt;
            // Let it finish the line it started, to show what it would have said; not stopping at its exit, which may
            // be seen before what it printed just before is read.
            _ = await session.WaitUntilAsync(() => stdout.FirstNewlineAt is not null || stdout.Ended, session.Elapsed + s_settle, cancellationToken);
            if (stdout.Any)
            {
                var line = FirstLine(stdout.Bytes);
                step.Lines.Add(new ExchangedLine(LineDirection.FromProgram, Text(line), session.Elapsed, "only after stdin was closed"));
            }

            var what = stdout.Any ? "printed its control line" : session.HasExited ? "exited" : "closed stdout";
            findings.Add(Findings.ReadsStdinToEof, step.Number,
                $"nothing on stdout for {Seconds(Limit)}; once stdin was closed it {what} within {Ms(reaction)}");
            step.Outcome = "waited for end of file on stdin";
        }
        else
        {
            findings.Add(Findings.Timeout, step.Number, $"no control line within {Seconds(Limit)}, and closing stdin changed nothing");
            step.Outcome = "killed at the time limit";
        }

        await session.KillAsync();
    }

    /// <summary>
    /// Adds the stdout lines after the control line, each at the time its newline arrived, and puts every line of the
    /// step in time order, so the report shows whether output came before or after the answer.
    /// </summary>
    private static void AddLaterLines(StepReport step, byte[] rest, IReadOnlyList<TimeSpan> newlineTimes, TimeSpan now, string note)
    {
        var index = 1; // newline 0 ended the control line
        while (rest.Length > 0)
        {
            var end = Array.IndexOf(rest, (byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            var at = end >= 0 && index < newlineTimes.Count ? newlineTimes[index] : now;
            step.Lines.Add(new ExchangedLine(LineDirection.FromProgram, Text(TrimCr(line)), at, end < 0 ? $"{note}; no newline" : note));
            rest = end < 0 ? [] : rest[(end + 1)..];
            index++;
        }

        var ordered = step.Lines.OrderBy(l => l.At).ToList();
        step.Lines.Clear();
        step.Lines.AddRange(ordered);
    }

    /// <summary>Checks the control line; true when it is noise in front of the real JSON line.</summary>
    private bool JudgeControlLine(StepReport step, byte[] line, bool terminated, byte[] stdout, FindingList findings)
    {
        var number = step.Number;
        if (line.Length + 1 > ProgramRunner.ControlLineMaxBytes)
        {
            findings.Add(Findings.LineTooLong, number, $"{line.Length + 1} bytes with its newline");
        }

        var check = ControlLineCheck.Check(line);
        var noise = false;
        if (check.Problem is { Severity: FindingSeverity.Error } && terminated && FindJsonAfterNoise(line, stdout) is { } where)
        {
            noise = true;
            findings.Add(Findings.StdoutNoise, number, $"line 1 is \"{TextShortener.Shorten(Text(line), 60)}\"; the check_keys JSON is {where}");
        }
        else if (check.Problem is not null)
        {
            findings.Add(check.Problem, number, check.Detail);
        }

        if (check.IsCheckKeys)
        {
            step.Keys = check.Keys;
        }

        if (!_options.Stateless)
        {
            // What the engine (and execd) would key this run by: the bare program name when the line gives no keys.
            step.RKey = ControlLine.Parse(line).RKey(_home.RelativePath, out _);
        }

        return noise;
    }

    /// <summary>Where a valid check_keys line follows noise: on a later stdout line, or after text on the same line.</summary>
    private static string? FindJsonAfterNoise(byte[] line, byte[] stdout)
    {
        var rest = AfterFirstLine(stdout);
        var lineNumber = 2;
        while (rest.Length > 0)
        {
            var end = Array.IndexOf(rest, (byte)'\n');
            if (end < 0)
            {
                break;
            }

            var candidate = TrimCr(rest.AsSpan(0, end));
            if (ControlLineCheck.Check(candidate).IsUsable)
            {
                return $"on line {lineNumber}";
            }

            rest = rest[(end + 1)..];
            lineNumber++;
        }

        var brace = Array.IndexOf(line, (byte)'{');
        return brace > 0 && ControlLineCheck.Check(line.AsSpan(brace)).IsUsable ? $"after {brace} bytes of other text on the same line" : null;
    }

    /// <summary>execd's second line: written even to a program that exited (the write then fails, as in execd); false then.</summary>
    private async Task<bool> AnswerAsync(ProgramSession session, StepReport step, Task<bool> addWrite, byte[] answer, CancellationToken cancellationToken)
    {
        using var deadline = Deadline(session, cancellationToken);
        try
        {
            await addWrite.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The program never read its first line; the answer cannot get through either, and the exit wait says why.
        }

        var at = session.Elapsed;
        var written = await session.WriteLineAsync(answer, deadline.Token);
        step.Lines.Add(new ExchangedLine(LineDirection.ToProgram, Text(answer), at, written ? null : "not delivered: the program no longer reads stdin"));
        return written;
    }

    /// <summary>execd closes stdin after its last line and waits for the exit; so does the tester, within the limit.</summary>
    private async Task WaitForExitAsync(ProgramSession session, StepReport step, FindingList findings, string phase, CancellationToken cancellationToken)
    {
        if (!session.StdinClosed)
        {
            session.CloseStdin();
        }

        if (!await session.WaitUntilAsync(() => session.HasExited, Limit, cancellationToken))
        {
            findings.Add(Findings.Timeout, step.Number, $"still running {Seconds(Limit)} after the start, {phase}");
            await session.KillAsync();
            step.Outcome = "killed at the time limit";
        }
    }

    private async Task DeleteStepAsync(ScriptTestReport report, int number, byte[] delete, CancellationToken cancellationToken)
    {
        var step = new StepReport(number, "delete", "delete", null);
        report.Steps.Add(step);
        var findings = report.Findings;
        ProgramSession session;
        try
        {
            // stdout to /dev/null, as execd runs deletes.
            session = ProgramSession.Start(Invocation, LaunchOptions.DeleteRun, _time);
        }
        catch (ProgramLaunchException ex)
        {
            findings.Add(Findings.SpawnFailed, number, ex.Message);
            step.Outcome = "could not be started";
            return;
        }

        using (session)
        {
            step.Lines.Add(new ExchangedLine(LineDirection.ToProgram, Text(delete), TimeSpan.Zero));
            using (var deadline = Deadline(session, cancellationToken))
            {
                _ = await session.WriteLineAsync(delete, deadline.Token);
            }

            await WaitForExitAsync(session, step, findings, "after the delete line and end of file", cancellationToken);
            await session.FinishOutputAsync(s_exitGrace, cancellationToken);
            Finish(session, step, findings, "on delete", disturbed: session.KilledByTester);
        }
    }

    /// <summary>Exit status, stderr and duration of a finished step.</summary>
    private static void Finish(ProgramSession session, StepReport step, FindingList findings, string when, bool disturbed)
    {
        var exit = session.Exit;
        step.ExitCode = exit.ExitCode;
        step.Signal = exit.Signal;
        step.Duration = session.Elapsed;
        step.Stderr = session.Stderr is { } stderr ? Text(stderr.Bytes) : string.Empty;
        if (!disturbed && !session.KilledByTester)
        {
            if (exit.ExitCode is { } code and not 0)
            {
                findings.Add(Findings.NonzeroExit, step.Number, $"exit code {code} {when}");
            }

            if (exit.Signal is { } signal)
            {
                findings.Add(Findings.KilledBySignal, step.Number, $"{SignalName(signal)} {when}");
            }

            step.Outcome = exit switch
            {
                { ExitCode: { } c } => string.Create(CultureInfo.InvariantCulture, $"exited with code {c}"),
                { Signal: { } s } => $"killed by {SignalName(s)}",
                _ => "exited (status unknown)",
            };
        }

        if (step.Stderr.Trim().Length > 0)
        {
            var firstLine = step.Stderr.Trim().Split('\n')[0];
            findings.Add(Findings.StderrOutput, step.Number, $"\"{TextShortener.Shorten(firstLine, 100)}\"");
        }
    }

    private static void CompareKeys(ScriptTestReport report, StepReport first, StepReport second)
    {
        if (first.Keys is { } a && second.Keys is { } b && !a.SequenceEqual(b, StringComparer.Ordinal))
        {
            report.Findings.Add(Findings.KeysDiffer, second.Number, $"{Quote(a)} then {Quote(b)}");
        }

        static string Quote(IReadOnlyList<string> keys) => "[" + string.Join(",", keys.Select(k => $"\"{TextShortener.Shorten(k, 40)}\"")) + "]";
    }

    private CancellationTokenSource Deadline(ProgramSession session, CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var remaining = Limit - session.Elapsed;
        deadline.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        return deadline;
    }

    private static byte[] FirstLine(byte[] bytes)
    {
        var end = Array.IndexOf(bytes, (byte)'\n');
        return TrimCr(end < 0 ? bytes : bytes.AsSpan(0, end)).ToArray();
    }

    private static byte[] AfterFirstLine(byte[] bytes)
    {
        var end = Array.IndexOf(bytes, (byte)'\n');
        return end < 0 ? [] : bytes[(end + 1)..];
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) => !line.IsEmpty && line[^1] == (byte)'\r' ? line[..^1] : line;

    private static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    internal static string Ms(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalMilliseconds:0} ms");

    internal static string Seconds(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.###} s");

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP (1)",
        2 => "SIGINT (2)",
        3 => "SIGQUIT (3)",
        6 => "SIGABRT (6)",
        9 => "SIGKILL (9)",
        11 => "SIGSEGV (11)",
        13 => "SIGPIPE (13)",
        15 => "SIGTERM (15)",
        _ => string.Create(CultureInfo.InvariantCulture, $"signal {signal}"),
    };
}
