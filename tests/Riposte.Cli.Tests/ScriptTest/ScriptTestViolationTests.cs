namespace Riposte.Cli.ScriptTest;

/// <summary>Deliberately broken response programs: each violation is named with its code and the run exits 2.</summary>
public sealed class ScriptTestViolationTests : IDisposable
{
    /// <summary>Reads the first line and exits 0 on delete, so only the add misbehaves.</summary>
    private const string ReadAndPassDelete = """
        IFS= read -r line1
        case "$line1" in *'"command":"delete"'*) exit 0 ;; esac

        """;

    private readonly ScriptDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Bash_cat_reads_stdin_to_eof()
    {
        var program = _dir.Bash("cat-block", $"""
            input=$(cat)
            echo '{ScriptDir.CheckKeys}'
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Json.GetProperty("conforms").GetBoolean().ShouldBeFalse();
        run.Errors.ShouldContain("reads-stdin-to-eof", run.ToString());
        run.Errors.ShouldNotContain("timeout", run.ToString());
        run.Finding("reads-stdin-to-eof").GetProperty("message").GetString()!.ShouldContain("execd never closes stdin after the first line");
        var received = run.Step(1).GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("stream").GetString() == "stdout");
        received.GetProperty("note").GetString().ShouldBe("only after stdin was closed");
        run.Step(2).GetProperty("skipped").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Python_json_load_of_stdin_reads_to_eof()
    {
        var program = _dir.Python("json-load.py", """
            import json, sys
            msg = json.load(sys.stdin)
            ip = msg["parameters"]["alert"]["data"]["srcip"]
            print(json.dumps({"version": 1, "origin": {"name": "x", "module": "active-response"}, "command": "check_keys", "parameters": {"keys": [ip]}}), flush=True)
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.ShouldContain("reads-stdin-to-eof", run.ToString());
        run.Errors.ShouldNotContain("timeout", run.ToString());
    }

    [Fact]
    public async Task Printf_without_newline_then_exit_is_no_newline()
    {
        var program = _dir.Bash("no-newline", ReadAndPassDelete + $"printf '%s' '{ScriptDir.CheckKeys}'\n");

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.ShouldBe(["no-newline"], run.ToString());
        run.Finding("no-newline").GetProperty("message").GetString()!
            .ShouldStartWith("the control line was not terminated by a newline; execd waits for one");
    }

    [Fact]
    public async Task No_newline_while_waiting_for_the_answer_is_a_deadlock_named_no_newline()
    {
        var program = _dir.Bash("no-newline-wait", ReadAndPassDelete + $"""
            printf '%s' '{ScriptDir.CheckKeys}'
            IFS= read -r line2
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.ShouldContain("no-newline", run.ToString());
        run.Errors.ShouldNotContain("reads-stdin-to-eof", run.ToString());
        run.Step(1).GetProperty("outcome").GetString()!.ShouldContain("killed");
    }

    [Fact]
    public async Task Echo_before_the_json_is_stdout_noise()
    {
        var program = _dir.Bash("noisy", ReadAndPassDelete + $"""
            echo hello
            echo '{ScriptDir.CheckKeys}'
            IFS= read -r line2
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.ShouldBe(["stdout-noise"], run.ToString());
        run.Finding("stdout-noise").GetProperty("message").GetString()!.ShouldContain("line 1 is \"hello\"");
        // What execd keys the run by: the bare program name.
        run.Step(1).GetProperty("rkey").GetString().ShouldBe("noisy");
    }

    [Fact]
    public async Task Version_as_a_string_is_version_not_a_number()
    {
        var program = _dir.Bash("version-string", ReadAndPassDelete + """
            echo '{"version":"1","origin":{"name":"x","module":"active-response"},"command":"check_keys","parameters":{"keys":["203.0.113.45"]}}'
            IFS= read -r line2
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.ShouldBe(["version-not-number"], run.ToString());
        run.Finding("version-not-number").GetProperty("message").GetString()!.ShouldContain("'version' is the string \"1\"");
        run.Finding("version-not-number").GetProperty("steps").EnumerateArray().Select(s => s.GetInt32()).ShouldBe([1, 2]);
    }

    [Fact]
    public async Task Keys_as_numbers_are_keys_not_strings()
    {
        var program = _dir.Bash("numeric-keys", ReadAndPassDelete + """
            echo '{"version":1,"origin":{"name":"x","module":"active-response"},"command":"check_keys","parameters":{"keys":[203,113]}}'
            IFS= read -r line2
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.ShouldBe(["keys-not-strings"], run.ToString());
    }

    [Theory]
    [InlineData("""{"version":1,"origin":{},"command":"check_keys","parameters":{"keys":["a"]}""", "bad-json")]
    [InlineData("""["check_keys"]""", "bad-json")]
    [InlineData("""{"version":1,"origin":"x","command":"check_keys","parameters":{"keys":["a"]}}""", "origin-not-object")]
    [InlineData("""{"version":1,"origin":{},"command":1,"parameters":{"keys":["a"]}}""", "command-not-string")]
    [InlineData("""{"version":1,"origin":{},"command":"check_keys"}""", "parameters-not-object")]
    [InlineData("""{"version":1,"origin":{},"command":"check-keys","parameters":{"keys":["a"]}}""", "not-check-keys")]
    [InlineData("""{"version":1,"origin":{},"command":"check_keys","parameters":{"keys":"a"}}""", "keys-not-array")]
    public async Task Each_malformed_control_line_is_named(string line, string code)
    {
        var program = _dir.Bash("malformed", ReadAndPassDelete + $"""
            echo '{line}'
            IFS= read -r line2
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.ShouldBe([code], run.ToString());
    }

    [Fact]
    public async Task Printing_nothing_when_stateful_is_no_control_line()
    {
        var program = _dir.Bash("silent", "IFS= read -r line1\nexit 0");

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.ShouldBe(["no-control-line"], run.ToString());
        run.Finding("no-control-line").GetProperty("message").GetString()!.ShouldContain("never receives delete");
        run.Step(2).GetProperty("skipped").GetBoolean().ShouldBeTrue();
        run.Step(3).GetProperty("exit_code").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Exit_3_is_a_nonzero_exit_with_its_code()
    {
        var program = _dir.Bash("exit3", ReadAndPassDelete + $"""
            echo '{ScriptDir.CheckKeys}'
            IFS= read -r line2
            exit 3
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.Distinct().ShouldBe(["nonzero-exit"], run.ToString());
        run.Finding("nonzero-exit").GetProperty("message").GetString()!.ShouldContain("exit code 3");
        run.Step(1).GetProperty("exit_code").GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task Different_keys_on_the_second_add_are_keys_differ()
    {
        // A key that changes per run (a counter in the home), as a script keyed by time or PID would.
        var program = _dir.Bash("changing-keys", ReadAndPassDelete + """
            n=$(( $(cat counter 2>/dev/null || echo 0) + 1 )); echo "$n" > counter
            echo "{\"version\":1,\"origin\":{\"name\":\"x\",\"module\":\"active-response\"},\"command\":\"check_keys\",\"parameters\":{\"keys\":[\"203.0.113.45-$n\"]}}"
            IFS= read -r line2
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.ShouldBe(["keys-differ"], run.ToString());
        run.Finding("keys-differ").GetProperty("message").GetString()!.ShouldContain("""["203.0.113.45-1"] then ["203.0.113.45-2"]""");
    }

    [Fact]
    public async Task Sleeping_past_the_limit_is_a_timeout_not_reading_to_eof()
    {
        var program = _dir.Bash("sleepy", ReadAndPassDelete + $"""
            sleep 2
            echo '{ScriptDir.CheckKeys}'
            IFS= read -r line2
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.ShouldBe(["timeout"], run.ToString());
        run.Step(1).GetProperty("outcome").GetString().ShouldBe("killed at the time limit");
    }

    [Fact]
    public async Task Exiting_right_after_the_keys_without_reading_the_answer_is_named()
    {
        var program = _dir.Bash("no-wait", ReadAndPassDelete + $"echo '{ScriptDir.CheckKeys}'\nexit 0\n");

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.ShouldBe(["no-wait-for-answer"], run.ToString());
    }

    [Fact]
    public async Task A_signal_is_killed_by_signal()
    {
        var program = _dir.Bash("self-kill", ReadAndPassDelete + $"""
            echo '{ScriptDir.CheckKeys}'
            IFS= read -r line2
            kill -TERM $$
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.Distinct().ShouldBe(["killed-by-signal"], run.ToString());
        run.Finding("killed-by-signal").GetProperty("message").GetString()!.ShouldContain("SIGTERM (15)");
    }

    [Fact]
    public async Task A_delete_that_hangs_is_a_timeout()
    {
        var program = _dir.Bash("hanging-delete", $"""
            IFS= read -r line1
            case "$line1" in *'"command":"delete"'*) sleep 5; exit 0 ;; esac
            echo '{ScriptDir.CheckKeys}'
            IFS= read -r line2
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.ShouldBe(["timeout"], run.ToString());
        run.Finding("timeout").GetProperty("steps").EnumerateArray().Single().GetInt32().ShouldBe(3);
    }

    [Fact]
    public async Task A_program_that_is_not_executable_cannot_be_spawned()
    {
        var program = _dir.Bash("not-executable", "exit 0");
        File.SetUnixFileMode(program, (UnixFileMode)0b110_100_100);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.ShouldBe(["spawn-failed"], run.ToString());
        run.Finding("spawn-failed").GetProperty("message").GetString()!.ShouldContain("(1317)");
    }
}
