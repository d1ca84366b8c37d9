using System.Text.Json;

namespace Riposte.Cli.ScriptTest;

/// <summary>Conforming programs, warnings that do not break conformance, the reports and the command line.</summary>
public sealed class ScriptTestCommandTests : IDisposable
{
    private readonly ScriptDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_conforming_bash_program_passes_all_three_steps()
    {
        var program = _dir.Write("block-ip", ScriptDir.ConformingBash);

        var run = await ScriptDir.RunAsync(program);

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Json.GetProperty("conforms").GetBoolean().ShouldBeTrue();
        run.Errors.ShouldBeEmpty(run.ToString());
        run.Json.GetProperty("steps").GetArrayLength().ShouldBe(3);
        foreach (var (number, answer) in new[] { (1, "continue"), (2, "abort") })
        {
            var step = run.Step(number);
            step.GetProperty("keys").EnumerateArray().Select(k => k.GetString()).ShouldBe(["203.0.113.45"]);
            step.GetProperty("rkey").GetString().ShouldBe("block-ip-203.0.113.45");
            step.GetProperty("exit_code").GetInt32().ShouldBe(0);
            var sent = step.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("stream").GetString() == "stdin").Select(Command).ToArray();
            sent.ShouldBe(["add", answer]);
        }

        run.Step(3).GetProperty("lines").EnumerateArray().Select(Command).ShouldBe(["delete"]);
        run.Step(3).GetProperty("exit_code").GetInt32().ShouldBe(0);
        var log = run.Json.GetProperty("log");
        log.GetProperty("written").GetBoolean().ShouldBeTrue();
        log.GetProperty("bad_lines").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task The_messages_are_execds_add_continue_abort_and_delete()
    {
        var program = _dir.Write("block-ip", ScriptDir.ConformingBash);

        var run = await ScriptDir.RunAsync(program);

        var add = JsonDocument.Parse(run.Step(1).GetProperty("lines")[0].GetProperty("text").GetString()!).RootElement;
        add.GetProperty("version").GetInt32().ShouldBe(1);
        add.GetProperty("origin").GetProperty("module").GetString().ShouldBe("wazuh-execd");
        add.GetProperty("command").GetString().ShouldBe("add");
        var parameters = add.GetProperty("parameters");
        parameters.EnumerateObject().Select(p => p.Name).ShouldBe(["extra_args", "alert", "program"]);
        parameters.GetProperty("program").GetString().ShouldBe("active-response/bin/block-ip");
        parameters.GetProperty("alert").GetProperty("rule").GetProperty("id").GetString().ShouldBe("5712");
        parameters.GetProperty("alert").GetProperty("data").GetProperty("srcip").GetString().ShouldBe("203.0.113.45");
    }

    [Fact]
    public async Task A_conforming_python_program_passes()
    {
        var program = _dir.Python("block.py", """
            import json, sys
            line = sys.stdin.readline()
            msg = json.loads(line)
            if msg["command"] == "add":
                keys = [msg["parameters"]["alert"]["data"]["srcip"]]
                print(json.dumps({"version": 1, "origin": {"name": "block.py", "module": "active-response"}, "command": "check_keys", "parameters": {"keys": keys}}), flush=True)
                answer = json.loads(sys.stdin.readline())
                if answer["command"] == "abort":
                    sys.exit(0)
            sys.exit(0)
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "3");

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Errors.ShouldBeEmpty(run.ToString());
    }

    [Fact]
    public async Task The_program_runs_as_execd_runs_it_argv0_relative_cwd_the_home()
    {
        var program = _dir.Bash("where-am-i", """
            IFS= read -r line1
            case "$line1" in *'"command":"delete"'*) exit 0 ;; esac
            printf '{"version":1,"origin":{"name":"x","module":"active-response"},"command":"check_keys","parameters":{"keys":["%s","%s"]}}\n' "$0" "$PWD"
            IFS= read -r line2
            """);

        var run = await ScriptDir.RunAsync(program);

        run.ExitCode.ShouldBe(0, run.ToString());
        var keys = run.Step(1).GetProperty("keys").EnumerateArray().Select(k => k.GetString()).ToArray();
        keys[0].ShouldBe("active-response/bin/where-am-i");
        keys[1].ShouldBe(run.Json.GetProperty("home").GetString());
        run.Json.GetProperty("temporary_home").GetBoolean().ShouldBeTrue();
        Directory.Exists(keys[1]).ShouldBeFalse("the temporary home is deleted afterwards");
        File.Exists(program).ShouldBeTrue("the program itself is left alone");
    }

    [Fact]
    public async Task Stderr_output_is_a_warning_and_the_program_still_conforms()
    {
        var program = _dir.Bash("chatty", $"""
            IFS= read -r line1
            echo "debug: got a line" >&2
            case "$line1" in *'"command":"delete"'*) exit 0 ;; esac
            echo '{ScriptDir.CheckKeys}'
            IFS= read -r line2
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Json.GetProperty("conforms").GetBoolean().ShouldBeTrue();
        run.Warnings.ShouldContain("stderr-output");
        run.Finding("stderr-output").GetProperty("message").GetString()!.ShouldContain("debug: got a line");
        run.Step(1).GetProperty("stderr").GetString().ShouldBe("debug: got a line\n");
    }

    [Fact]
    public async Task Extra_stdout_after_the_control_line_is_a_warning()
    {
        var program = _dir.Bash("extra", $"""
            IFS= read -r line1
            case "$line1" in *'"command":"delete"'*) exit 0 ;; esac
            echo '{ScriptDir.CheckKeys}'
            IFS= read -r line2
            echo "blocked 203.0.113.45"
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Warnings.ShouldContain("extra-stdout");
        run.Finding("extra-stdout").GetProperty("message").GetString()!.ShouldContain("blocked 203.0.113.45");
    }

    [Fact]
    public async Task Log_lines_wazuh_would_not_decode_are_a_warning()
    {
        var program = _dir.Bash("bad-log", $"""
            IFS= read -r line1
            echo "[$(date)] got: $line1" >> logs/active-responses.log
            case "$line1" in *'"command":"delete"'*) exit 0 ;; esac
            echo '{ScriptDir.CheckKeys}'
            IFS= read -r line2
            """);

        var run = await ScriptDir.RunAsync(program, "--timeout", "1");

        run.ExitCode.ShouldBe(0, run.ToString());
        // slow-start measures the machine (bash forking date on a busy CI box took 231 ms once), not this program's log.
        run.Warnings.Where(w => w != "slow-start").ShouldBe(["log-format"], run.ToString());
        run.Json.GetProperty("log").GetProperty("bad_lines").GetInt32().ShouldBe(3);
        run.Finding("log-format").GetProperty("steps").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task A_stateless_program_that_prints_nothing_conforms()
    {
        var program = _dir.Bash("notify", "IFS= read -r line1\nexit 0");

        var run = await ScriptDir.RunAsync(program, "--stateless", "--timeout", "1");

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Json.GetProperty("conforms").GetBoolean().ShouldBeTrue();
        run.Json.GetProperty("steps").GetArrayLength().ShouldBe(1);
        run.Findings.ShouldBeEmpty(run.ToString());
    }

    [Fact]
    public async Task A_stateless_program_that_prints_a_line_must_still_print_a_valid_one()
    {
        var program = _dir.Bash("notify", "IFS= read -r line1\necho ok\nexit 0");

        var run = await ScriptDir.RunAsync(program, "--stateless", "--timeout", "1");

        run.ExitCode.ShouldBe(2, run.ToString());
        run.Errors.ShouldBe(["bad-json"], run.ToString());
    }

    [Fact]
    public async Task The_alert_file_is_what_the_program_receives()
    {
        var program = _dir.Write("block-ip", ScriptDir.ConformingBash);
        var alert = Path.Combine(_dir.Path, "alert.json");
        File.WriteAllText(alert, """{"rule":{"level":12,"id":"100200"},"id":"1.2","data":{"srcip":"198.51.100.7"}}""" + "\n" + """{"second":"line"}""" + "\n");

        var run = await ScriptDir.RunAsync(program, "--alert", alert);

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Step(1).GetProperty("keys").EnumerateArray().Select(k => k.GetString()).ShouldBe(["198.51.100.7"]);
    }

    [Fact]
    public async Task With_home_the_program_runs_in_place()
    {
        var home = Directory.CreateDirectory(Path.Combine(_dir.Path, "ossec")).FullName;
        Directory.CreateDirectory(Path.Combine(home, "active-response", "bin"));
        Directory.CreateDirectory(Path.Combine(home, "logs"));
        var inHome = Path.Combine(home, "active-response", "bin", "block-ip");
        File.WriteAllText(inHome, ScriptDir.ConformingBash + "\n");
        File.SetUnixFileMode(inHome, (UnixFileMode)0b111_101_101);

        var run = await ScriptDir.RunAsync("block-ip", "--home", home);

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Json.GetProperty("temporary_home").GetBoolean().ShouldBeFalse();
        File.ReadAllText(Path.Combine(home, "logs", "active-responses.log")).ShouldContain(" active-response/bin/block-ip: Aborted");
    }

    [Fact]
    public async Task The_text_report_shows_steps_lines_findings_and_the_verdict()
    {
        var program = _dir.Bash("no-newline", $"""
            IFS= read -r line1
            case "$line1" in *'"command":"delete"'*) exit 0 ;; esac
            printf '%s' '{ScriptDir.CheckKeys}'
            """);

        var run = await CliRunner.RunAsync(["script-test", program, "--timeout", "1"]);

        run.ExitCode.ShouldBe(2, run.Out);
        run.Out.ShouldContain("Step 1: add #1, answer continue:");
        run.Out.ShouldContain("stdin  > {\"version\":1,\"origin\":{\"name\":\"node01\",\"module\":\"wazuh-execd\"},\"command\":\"add\"");
        run.Out.ShouldContain("[no newline; the program exited]");
        run.Out.ShouldContain("error no-newline: the control line was not terminated by a newline; execd waits for one");
        run.Out.ShouldContain("Step 3: delete:");
        run.OutLines[^1].ShouldStartWith("Result: does NOT conform to the protocol");
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("timeout")]
    [InlineData("alert")]
    [InlineData("home")]
    public async Task Usage_errors_exit_1(string what)
    {
        var program = _dir.Write("block-ip", ScriptDir.ConformingBash);
        var badAlert = Path.Combine(_dir.Path, "bad.json");
        File.WriteAllText(badAlert, "not json\n");
        string[] args = what switch
        {
            "missing" => ["script-test", Path.Combine(_dir.Path, "nope")],
            "timeout" => ["script-test", program, "--timeout", "0"],
            "alert" => ["script-test", program, "--alert", badAlert],
            _ => ["script-test", program, "--home", _dir.Path],
        };

        var run = await CliRunner.RunAsync(args);

        run.ExitCode.ShouldBe(1, run.Out + run.Error);
        run.Error.ShouldNotBeEmpty();
    }

    // cJSON nests at most 1000 levels: an alert nested 999 or 1000 deep parses alone, but the message embedding it two
    // levels down (parameters.alert) is refused by execd, so it cannot be used; it once escaped as an exception.
    [Theory]
    [InlineData(999)]
    [InlineData(1000)]
    public async Task An_alert_execd_could_not_take_in_a_message_is_an_input_error(int depth)
    {
        var program = _dir.Write("block-ip", ScriptDir.ConformingBash);
        var alert = Path.Combine(_dir.Path, "deep.json");
        File.WriteAllText(alert, "{\"a\":" + new string('[', depth - 1) + new string(']', depth - 1) + "}\n");

        var run = await CliRunner.RunAsync(["script-test", program, "--alert", alert]);

        run.ExitCode.ShouldBe(2, run.Out + run.Error);
        run.Out.ShouldBeEmpty();
        run.Error.ShouldStartWith($"--alert {alert}: ");
        run.Error.ShouldContain("1000");
        run.Error.ShouldNotContain("Exception");
        run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldHaveSingleItem();
    }

    [Theory]
    [InlineData("{\"data\":{\"srcip\":\"\\ud800\"}}")]
    [InlineData("{\"data\":{\"srcip\":\"1.2.3.4\"}")]
    [InlineData("{\"a\":1" + "0000000000000000000000000000000000000000000000000000000000000000000000" + "}")]
    public async Task An_alert_file_cjson_rejects_is_named_in_a_clear_error(string content)
    {
        var program = _dir.Write("block-ip", ScriptDir.ConformingBash);
        var alert = Path.Combine(_dir.Path, "bad.json");
        File.WriteAllText(alert, content + "\n");

        var run = await CliRunner.RunAsync(["script-test", program, "--alert", alert]);

        run.ExitCode.ShouldNotBe(0);
        run.Out.ShouldBeEmpty();
        run.Error.ShouldStartWith($"--alert {alert}: ");
        run.Error.ShouldNotContain("Exception");
    }

    [Fact]
    public void The_default_alert_is_the_sample_sshd_alert()
    {
        var sample = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "TestData", "wazuh", "sample-alerts.jsonl")).ElementAt(1);

        DefaultAlert.Json.ShouldBe(sample);
    }

    [Fact]
    public async Task As_a_real_process_a_program_reading_to_eof_exits_2()
    {
        var program = _dir.Python("json-load.py", """
            import json, sys
            msg = json.load(sys.stdin)
            print('{"version":1,"origin":{"name":"x","module":"active-response"},"command":"check_keys","parameters":{"keys":["203.0.113.45"]}}', flush=True)
            """);

        var run = await CliRunner.RunProcessAsync(["script-test", program, "--timeout", "1"]);

        run.ExitCode.ShouldBe(2, run.Out + run.Error);
        run.Out.ShouldContain("error reads-stdin-to-eof:");
        run.Out.ShouldContain("Result: does NOT conform to the protocol");
    }

    private static string Command(JsonElement line) =>
        JsonDocument.Parse(line.GetProperty("text").GetString()!).RootElement.GetProperty("command").GetString()!;
}
