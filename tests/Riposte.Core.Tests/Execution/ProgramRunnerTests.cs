using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Riposte.Execution;

public sealed class ProgramRunnerTests : IDisposable
{
    private const string CheckKeys = """{"version":1,"origin":{"name":"test","module":"active-response"},"command":"check_keys","parameters":{"keys":["10.0.0.1"]}}""";
    private const string Continue = """{"version":1,"origin":{"name":"node01","module":"wazuh-execd"},"command":"continue","parameters":{}}""";

    /// <summary>A stateful program as Wazuh's helper library writes them: line 1 in, check_keys out, line 2 in.</summary>
    private const string Handshake = $$"""
        #!/bin/bash
        echo $$ > pid
        IFS= read -r l1
        printf '%s\n' "$l1" > got1
        printf '%s\n' '{{CheckKeys}}'
        IFS= read -r l2
        printf '%s\n' "$l2" > got2
        echo "after handshake"
        echo "to stderr" >&2
        """;

    private static readonly byte[] s_addMessage = """{"version":1,"origin":{"name":"node01","module":"wazuh-execd"},"command":"add","parameters":{"alert":{"data":{"srcip":"10.0.0.1"}},"program":"active-response/bin/test"}}"""u8.ToArray();

    private static readonly ProgramLimits s_fast = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), 65536);

    private readonly TempHome _home = new();
    private readonly ProgramRunner _runner = new(TimeProvider.System);

    public void Dispose() => _home.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<ReadOnlyMemory<byte>?>> Answer(string? answer, List<string>? seen = null) =>
        (line, _) =>
        {
            seen?.Add(Encoding.UTF8.GetString(line.Span));
            // Careful: a null byte[] would convert to an empty (non-null) ReadOnlyMemory, i.e. an empty second line.
            return ValueTask.FromResult(answer is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(answer));
        };

    private static string Text(byte[]? bytes) => bytes is null ? "<null>" : Encoding.UTF8.GetString(bytes);

    private Task<ProgramRunResult> RunAdd(ProgramInvocation invocation, string? answer = Continue, ProgramLimits? limits = null, List<string>? seen = null) =>
        _runner.RunAddAsync(invocation, s_addMessage, Answer(answer, seen), limits ?? s_fast, Ct);

    [Fact]
    public async Task Add_run_exchanges_exactly_two_lines_and_captures_the_rest()
    {
        var invocation = _home.Script("stateful", Handshake);
        var seen = new List<string>();

        var result = await RunAdd(invocation, seen: seen);

        result.Outcome.ShouldBe(RunOutcome.Completed);
        result.ExitCode.ShouldBe(0);
        result.Signal.ShouldBeNull();
        result.Error.ShouldBeNull();
        seen.ShouldBe([CheckKeys]);
        Text(result.ControlLine).ShouldBe(CheckKeys);
        result.ControlLineTruncated.ShouldBeFalse();
        Text(result.Answer).ShouldBe(Continue);
        _home.ReadBytes("got1").ShouldBe([.. s_addMessage, (byte)'\n']);
        _home.Read("got2").ShouldBe(Continue + "\n");
        result.Stdout.ShouldBe(CheckKeys + "\nafter handshake\n");
        result.Stderr.ShouldBe("to stderr\n");
        result.OutputTruncated.ShouldBeFalse();
        result.Elapsed.ShouldBeGreaterThan(TimeSpan.Zero);
        Processes.IsGone(int.Parse(_home.Read("pid"))).ShouldBeTrue();
    }

    [Fact]
    public async Task Python_program_with_the_helper_library_protocol()
    {
        var invocation = _home.Script("stateful.py", """
            #!/usr/bin/env python3
            import json, os, sys
            first = json.loads(sys.stdin.readline())
            keys = [first["parameters"]["alert"]["data"]["srcip"]]
            print(json.dumps({"version": 1, "origin": {"name": os.path.basename(sys.argv[0]), "module": "active-response"},
                              "command": "check_keys", "parameters": {"keys": keys}}, separators=(",", ":")), flush=True)
            second = json.loads(sys.stdin.readline())
            with open("py-result", "w") as f:
                f.write(second["command"] + " " + sys.argv[0])
            sys.exit(0 if second["command"] == "continue" else 1)
            """);

        var result = await RunAdd(invocation, answer: """{"version":1,"origin":{},"command":"abort","parameters":{}}""");

        result.Outcome.ShouldBe(RunOutcome.Completed);
        result.ExitCode.ShouldBe(1);
        Text(result.ControlLine).ShouldBe("""{"version":1,"origin":{"name":"stateful.py","module":"active-response"},"command":"check_keys","parameters":{"keys":["10.0.0.1"]}}""");
        _home.Read("py-result").ShouldBe("abort active-response/bin/stateful.py");
    }

    [Fact]
    public async Task Control_line_may_end_with_crlf()
    {
        var invocation = _home.Script("crlf", """
            #!/bin/bash
            IFS= read -r l1
            printf '{"a":1}\r\n'
            IFS= read -r l2
            """);

        var result = await RunAdd(invocation);

        Text(result.ControlLine).ShouldBe("""{"a":1}""");
        result.ControlLineTruncated.ShouldBeFalse();
        result.Outcome.ShouldBe(RunOutcome.Completed);
    }

    [Theory]
    [InlineData(8190, 8190, false)]
    [InlineData(8191, 8191, true)]
    [InlineData(20000, 8191, true)]
    public async Task Control_line_is_read_like_execd_fgets_of_8192_bytes(int length, int expected, bool truncated)
    {
        var invocation = _home.Script("long-line", $"""
            #!/bin/bash
            IFS= read -r l1
            head -c {length} /dev/zero | tr '\0' a
            echo
            IFS= read -r l2
            printf '%s\n' "$l2" > got2
            """);

        var result = await RunAdd(invocation);

        result.Outcome.ShouldBe(RunOutcome.Completed);
        result.ControlLine!.Length.ShouldBe(expected);
        result.ControlLine.ShouldAllBe(b => b == (byte)'a');
        result.ControlLineTruncated.ShouldBe(truncated);
        _home.Read("got2").ShouldBe(Continue + "\n");
    }

    [Fact]
    public async Task Partial_last_line_at_eof_is_still_a_control_line()
    {
        var invocation = _home.Script("partial", """
            #!/bin/bash
            IFS= read -r l1
            printf 'no newline'
            """);

        var result = await RunAdd(invocation);

        result.Outcome.ShouldBe(RunOutcome.Completed);
        Text(result.ControlLine).ShouldBe("no newline");
        result.ControlLineTruncated.ShouldBeFalse();
    }

    [Fact]
    public async Task Eof_before_any_byte_sends_nothing_more_and_closes_stdin()
    {
        var invocation = _home.Script("silent", """
            #!/bin/bash
            IFS= read -r l1
            exec 1>&-
            if IFS= read -r l2; then printf '%s\n' "$l2" > got2; else : > eof2; fi
            exit 3
            """);
        var seen = new List<string>();

        var result = await RunAdd(invocation, seen: seen);

        result.Outcome.ShouldBe(RunOutcome.NoControlLine);
        result.ExitCode.ShouldBe(3);
        result.ControlLine.ShouldBeNull();
        result.Answer.ShouldBeNull();
        result.Error.ShouldBeNull();
        seen.ShouldBeEmpty();
        _home.Exists("eof2").ShouldBeTrue();
        _home.Exists("got2").ShouldBeFalse();
    }

    [Fact]
    public async Task Program_that_exits_without_reading_stdin_is_not_an_error()
    {
        // 256 KiB cannot fit in the pipe: the write fails with EPIPE once the program is gone.
        var big = Encoding.UTF8.GetBytes(new string('x', 256 * 1024));
        var silent = _home.Script("quits", "#!/bin/bash\nexit 0\n");
        var talker = _home.Script("talks", "#!/bin/bash\nprintf '{\"x\":1}\\n'\nexit 6\n");

        var first = await _runner.RunAddAsync(silent, big, Answer(Continue), s_fast, Ct);
        var second = await _runner.RunAddAsync(talker, big, Answer(Continue), s_fast, Ct);

        first.Outcome.ShouldBe(RunOutcome.NoControlLine);
        first.ExitCode.ShouldBe(0);
        second.Outcome.ShouldBe(RunOutcome.Completed);
        second.ExitCode.ShouldBe(6);
        Text(second.ControlLine).ShouldBe("""{"x":1}""");
        Text(second.Answer).ShouldBe(Continue);
    }

    [Fact]
    public async Task Program_reading_stdin_to_eof_hits_the_control_line_timeout_and_its_group_is_killed()
    {
        // Wazuh's classic deadlock: execd never closes stdin after line 1, so this would hang execd forever.
        var invocation = _home.Script("reads-all", """
            #!/bin/bash
            echo $$ > pid
            sleep 1000 &
            echo $! > grandchild
            cat > /dev/null
            """);

        var result = await RunAdd(invocation);

        result.Outcome.ShouldBe(RunOutcome.ControlLineTimeout);
        result.Signal.ShouldBe(9);
        result.ExitCode.ShouldBeNull();
        result.ControlLine.ShouldBeNull();
        result.Error!.ShouldContain("no control line");
        result.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9));
        result.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        Processes.IsGone(int.Parse(_home.Read("pid"))).ShouldBeTrue();
        (await Processes.WaitDeadAsync(int.Parse(_home.Read("grandchild")))).ShouldBeTrue();
    }

    [Fact]
    public async Task Children_holding_stdout_after_the_program_exited_are_killed_at_the_control_line_timeout()
    {
        // The exited program is not reaped before the run ends, so its group id stays reserved for the kill.
        var invocation = _home.Script("leaves-child", """
            #!/bin/bash
            sleep 1000 &
            echo $! > grandchild
            exit 0
            """);

        var result = await RunAdd(invocation);

        result.Outcome.ShouldBe(RunOutcome.ControlLineTimeout);
        result.ExitCode.ShouldBe(0);
        (await Processes.WaitDeadAsync(int.Parse(_home.Read("grandchild")))).ShouldBeTrue();
    }

    [Fact]
    public async Task Run_timeout_kills_a_program_that_hangs_after_the_handshake()
    {
        var invocation = _home.Script("hangs", $$"""
            #!/bin/bash
            IFS= read -r l1
            printf '%s\n' '{{CheckKeys}}'
            IFS= read -r l2
            echo $$ > pid
            sleep 1000
            """);

        var result = await RunAdd(invocation, limits: s_fast with { RunTimeout = TimeSpan.FromSeconds(1) });

        result.Outcome.ShouldBe(RunOutcome.RunTimeout);
        result.Signal.ShouldBe(9);
        Text(result.ControlLine).ShouldBe(CheckKeys);
        Text(result.Answer).ShouldBe(Continue);
        result.Error!.ShouldContain("run exceeded");
        Processes.IsGone(int.Parse(_home.Read("pid"))).ShouldBeTrue();
    }

    [Fact]
    public async Task Run_timeout_covers_a_slow_decision()
    {
        var invocation = _home.Script("waits", Handshake);
        CancellationToken decisionToken = default;

        var result = await _runner.RunAddAsync(
            invocation,
            s_addMessage,
            async (_, ct) =>
            {
                decisionToken = ct;
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                return null;
            },
            s_fast with { RunTimeout = TimeSpan.FromSeconds(1) },
            Ct);

        result.Outcome.ShouldBe(RunOutcome.RunTimeout);
        result.Signal.ShouldBe(9);
        result.Answer.ShouldBeNull();
        decisionToken.IsCancellationRequested.ShouldBeTrue();
        _home.Exists("got2").ShouldBeFalse();
    }

    [Fact]
    public async Task Null_decision_sends_no_second_line()
    {
        var invocation = _home.Script("no-answer", $$"""
            #!/bin/bash
            IFS= read -r l1
            printf '%s\n' '{{CheckKeys}}'
            if IFS= read -r l2; then printf '%s\n' "$l2" > got2; else : > eof2; fi
            """);

        var result = await RunAdd(invocation, answer: null);

        result.Outcome.ShouldBe(RunOutcome.Completed);
        result.Answer.ShouldBeNull();
        _home.Exists("eof2").ShouldBeTrue();
        _home.Exists("got2").ShouldBeFalse();
    }

    [Fact]
    public async Task Failing_decision_kills_the_program_and_propagates()
    {
        var invocation = _home.Script("victim", $$"""
            #!/bin/bash
            echo $$ > pid
            IFS= read -r l1
            printf '%s\n' '{{CheckKeys}}'
            IFS= read -r l2
            sleep 1000
            """);

        await Should.ThrowAsync<InvalidOperationException>(() => _runner.RunAddAsync(
            invocation, s_addMessage, (_, _) => throw new InvalidOperationException("boom"), s_fast, Ct));

        (await Processes.WaitDeadAsync(int.Parse(_home.Read("pid")))).ShouldBeTrue();
    }

    [Fact]
    public async Task Missing_program_is_a_spawn_failure_with_the_errno_text()
    {
        var result = await RunAdd(new ProgramInvocation(_home.Root, "active-response/bin/missing"));

        result.Outcome.ShouldBe(RunOutcome.SpawnFailed);
        // The errno part only: the engine composes Wazuh's "(1317): Could not launch command ..." line from it.
        result.Error.ShouldBe("No such file or directory (2)");
        result.ExitCode.ShouldBeNull();
        result.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task Non_executable_program_is_a_spawn_failure_with_the_errno_text()
    {
        var invocation = _home.Script("not-exec", "#!/bin/bash\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var add = await RunAdd(invocation);
        var delete = await _runner.RunDeleteAsync(invocation, "x"u8.ToArray(), s_fast, Ct);

        add.Outcome.ShouldBe(RunOutcome.SpawnFailed);
        add.Error!.ShouldContain("Permission denied");
        delete.Outcome.ShouldBe(RunOutcome.SpawnFailed);
        delete.Error!.ShouldContain("Permission denied");
    }

    [Fact]
    public async Task Exit_codes_and_signals_are_reported()
    {
        var exits = _home.Script("exits", "#!/bin/bash\nIFS= read -r l1\necho '{}'\nIFS= read -r l2\nexit 255\n");
        var signalled = _home.Script("signalled", "#!/bin/bash\nIFS= read -r l1\necho '{}'\nIFS= read -r l2\nkill -TERM $$\n");

        var exited = await RunAdd(exits);
        var killed = await RunAdd(signalled);

        exited.Outcome.ShouldBe(RunOutcome.Completed);
        (exited.ExitCode, exited.Signal).ShouldBe((255, (int?)null));
        killed.Outcome.ShouldBe(RunOutcome.Completed);
        (killed.ExitCode, killed.Signal).ShouldBe(((int?)null, 15));
    }

    [Fact]
    public async Task Output_is_captured_up_to_the_limit_per_stream()
    {
        var invocation = _home.Script("noisy", """
            #!/bin/bash
            IFS= read -r l1
            head -c 300000 /dev/zero | tr '\0' e >&2
            echo '{}'
            IFS= read -r l2
            head -c 300000 /dev/zero | tr '\0' o
            echo done > finished
            """);

        var result = await RunAdd(invocation, limits: s_fast with { OutputLimitBytes = 1000 });

        result.Outcome.ShouldBe(RunOutcome.Completed);
        result.ExitCode.ShouldBe(0);
        result.Stderr.ShouldBe(new string('e', 1000));
        result.Stdout.ShouldBe("{}\n" + new string('o', 997));
        result.OutputTruncated.ShouldBeTrue();
        _home.Exists("finished").ShouldBeTrue();
    }

    [Fact]
    public async Task Cancellation_kills_the_program()
    {
        var invocation = _home.Script("patient", """
            #!/bin/bash
            echo $$ > pid
            cat > /dev/null
            """);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var run = _runner.RunAddAsync(invocation, s_addMessage, Answer(Continue), ProgramLimits.Default, cts.Token);
        var pid = int.Parse(await _home.WaitForAsync("pid"));
        await cts.CancelAsync();
        var result = await run;

        result.Outcome.ShouldBe(RunOutcome.Cancelled);
        result.Signal.ShouldBe(9);
        Processes.IsGone(pid).ShouldBeTrue();
    }

    [Fact]
    public async Task Timeouts_follow_the_injected_clock()
    {
        var clock = new FakeTimeProvider();
        var runner = new ProgramRunner(clock);
        var invocation = _home.Script("stalls", """
            #!/bin/bash
            echo $$ > pid
            cat > /dev/null
            """);

        var run = runner.RunAddAsync(invocation, s_addMessage, Answer(Continue), new ProgramLimits(TimeSpan.FromHours(1), TimeSpan.FromHours(2), 100), Ct);
        var pid = int.Parse(await _home.WaitForAsync("pid"));
        run.IsCompleted.ShouldBeFalse();
        clock.Advance(TimeSpan.FromHours(1));
        var result = await run;

        result.Outcome.ShouldBe(RunOutcome.ControlLineTimeout);
        result.Elapsed.ShouldBe(TimeSpan.FromHours(1));
        Processes.IsGone(pid).ShouldBeTrue();
    }

    [Fact]
    public async Task Delete_run_writes_one_line_closes_stdin_and_keeps_stderr()
    {
        var invocation = _home.Script("delete", """
            #!/bin/bash
            cat > got
            readlink /proc/$$/fd/1 > stdout-target
            echo "ignored"
            echo "deleted" >&2
            exit 2
            """);
        var line = """{"version":1,"command":"delete"}"""u8.ToArray();

        var result = await _runner.RunDeleteAsync(invocation, line, s_fast, Ct);

        result.Outcome.ShouldBe(RunOutcome.Completed);
        result.ExitCode.ShouldBe(2);
        _home.ReadBytes("got").ShouldBe([.. line, (byte)'\n']);
        _home.Read("stdout-target").ShouldBe("/dev/null\n");
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldBe("deleted\n");
        result.ControlLine.ShouldBeNull();
        result.Answer.ShouldBeNull();
    }

    [Fact]
    public async Task Invalid_limits_are_rejected_before_anything_runs()
    {
        var invocation = _home.Script("never", "#!/bin/bash\n: > ran\n");

        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => RunAdd(invocation, limits: s_fast with { RunTimeout = TimeSpan.Zero }));
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => RunAdd(invocation, limits: s_fast with { ControlLineTimeout = TimeSpan.FromSeconds(-2) }));
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => _runner.RunDeleteAsync(invocation, "{}"u8.ToArray(), s_fast with { OutputLimitBytes = -1 }, Ct));
        _home.Exists("ran").ShouldBeFalse();
    }

    [Fact]
    public async Task Delete_run_timeout_kills_the_group()
    {
        var invocation = _home.Script("stuck-delete", """
            #!/bin/bash
            echo $$ > pid
            sleep 1000
            """);

        var result = await _runner.RunDeleteAsync(invocation, "{}"u8.ToArray(), s_fast with { RunTimeout = TimeSpan.FromSeconds(1) }, Ct);

        result.Outcome.ShouldBe(RunOutcome.RunTimeout);
        result.Signal.ShouldBe(9);
        Processes.IsGone(int.Parse(_home.Read("pid"))).ShouldBeTrue();
    }
}

/// <summary>Tests that count this process's descriptors run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(DescriptorCounting), DisableParallelization = true)]
public sealed class DescriptorCounting;

[Collection(nameof(DescriptorCounting))]
public sealed class ProgramRunnerConcurrencyTests : IDisposable
{
    private readonly TempHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Fifty_concurrent_runs_complete_and_leak_no_descriptors()
    {
        var ct = TestContext.Current.CancellationToken;
        var runner = new ProgramRunner(TimeProvider.System);
        var invocation = _home.Script("concurrent", """
            #!/bin/bash
            IFS= read -r l1
            printf '%s\n' "$l1"
            IFS= read -r l2
            echo "$l2" >&2
            """);
        var limits = new ProgramLimits(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), 65536);

        Task<ProgramRunResult> Run(int i) => Task.Run(() => runner.RunAddAsync(
            invocation,
            Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"),
            (line, _) => ValueTask.FromResult<ReadOnlyMemory<byte>?>(Encoding.UTF8.GetBytes($"answer {Encoding.UTF8.GetString(line.Span)}")),
            limits,
            ct), ct);

        (await Run(-1)).Outcome.ShouldBe(RunOutcome.Completed);
        var before = Processes.OpenDescriptors();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(Run));

        for (var i = 0; i < results.Length; i++)
        {
            results[i].Outcome.ShouldBe(RunOutcome.Completed);
            results[i].ExitCode.ShouldBe(0);
            Text(results[i].ControlLine).ShouldBe($"{{\"n\":{i}}}");
            results[i].Stderr.ShouldBe($"answer {{\"n\":{i}}}\n");
        }

        Processes.OpenDescriptors().ShouldBe(before);
    }

    [Fact]
    public async Task Launcher_leaks_no_descriptors_on_failure_or_success_from_many_threads()
    {
        var ct = TestContext.Current.CancellationToken;
        var launcher = new ProgramLauncher();
        var good = _home.Script("good", "#!/bin/bash\nexit 0\n");
        var bad = new ProgramInvocation(_home.Root, "active-response/bin/absent");
        using (var warmup = launcher.Launch(good, LaunchOptions.AddRun))
        {
            await warmup.Exited;
        }

        var before = Processes.OpenDescriptors();

        await Parallel.ForAsync(0, 50, ct, async (i, _) =>
        {
            if (i % 2 == 0)
            {
                Should.Throw<ProgramLaunchException>(() => launcher.Launch(bad, LaunchOptions.DeleteRun));
                return;
            }

            using var program = launcher.Launch(good, LaunchOptions.AddRun);
            await program.Exited;
        });

        Processes.OpenDescriptors().ShouldBe(before);
    }

    private static string Text(byte[]? bytes) => bytes is null ? "<null>" : Encoding.UTF8.GetString(bytes);
}
