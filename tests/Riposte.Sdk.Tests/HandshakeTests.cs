using System.Text;
using Riposte.Sdk;
using Riposte.Support;

namespace Riposte;

/// <summary>The program side of the protocol, byte for byte against Wazuh's fixtures (spec §5.5, §6.1).</summary>
public sealed class HandshakeTests
{
    private static readonly string[] s_fixtureLog = File.ReadAllText(Fixtures.Path("sample-active-responses.log"), Encoding.UTF8).Split('\n');

    /// <summary>Lines [from, to) of the fixture log, as the file would hold them.</summary>
    private static string FixtureLog(int from, int to) => string.Join('\n', s_fixtureLog[from..to]) + "\n";

    private static DateTimeOffset At(int hour, int minute, int second) => new(2025, 11, 27, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public async Task Add_with_continue_writes_A5_and_logs_exactly_as_the_fixture()
    {
        using var run = new SdkRun(At(10, 11, 58));
        var program = new RecordingProgram();
        string? seen = null;

        var (exit, stdout) = await run.RunAsync(program, Fixtures.Wire("A4") + "\n", line =>
        {
            seen = line;
            return Fixtures.Wire("A6") + "\n";
        });

        exit.ShouldBe(0);
        seen.ShouldBe(Fixtures.Wire("A5"));
        stdout.ShouldBe(Fixtures.Wire("A5") + "\n");
        program.Calls.ShouldBe(["add 203.0.113.45"]);
        run.Log.ShouldBe(FixtureLog(0, 7));
    }

    [Fact]
    public async Task Add_with_abort_logs_Aborted_and_does_not_act()
    {
        using var run = new SdkRun(At(10, 12, 58));
        var program = new RecordingProgram();

        var (exit, stdout) = await run.RunAsync(program, Fixtures.Wire("A4") + "\n", _ => Fixtures.Wire("A7") + "\n");

        exit.ShouldBe(0);
        stdout.ShouldBe(Fixtures.Wire("A5") + "\n");
        program.Calls.ShouldBeEmpty();
        run.Log.ShouldBe(FixtureLog(7, 14));
    }

    [Fact]
    public async Task Delete_acts_directly_without_handshake()
    {
        using var run = new SdkRun(At(10, 22, 59));
        var program = new RecordingProgram();

        var (exit, stdout) = await run.RunAsync(program, Fixtures.Wire("A8") + "\n");

        exit.ShouldBe(0);
        stdout.ShouldBeEmpty();
        program.Calls.ShouldBe(["delete 203.0.113.45"]);
        run.Log.ShouldBe(FixtureLog(14, 18));
    }

    [Fact]
    public async Task Missing_srcip_stops_before_the_handshake_with_Wazuh_text()
    {
        using var run = new SdkRun(At(10, 30, 0));
        var message = """{"version":1,"origin":{"name":"","module":"wazuh-execd"},"command":"add","parameters":{"extra_args":[],"alert":{"rule":{"level":5,"description":"Test.","id":5715},"data":{"dstuser":"Test."}},"program":"active-response/bin/firewall-drop"}}""";

        var (exit, stdout) = await run.RunAsync(new RecordingProgram(), message + "\n", _ => throw new InvalidOperationException("no handshake expected"));

        exit.ShouldBe(255);
        stdout.ShouldBeEmpty();
        run.Log.ShouldBe(FixtureLog(18, 22));
    }

    [Fact]
    public async Task The_whole_fixture_log_is_reproduced_by_four_runs()
    {
        using var run = new SdkRun(At(10, 11, 58));
        await run.RunAsync(new RecordingProgram(), Fixtures.Wire("A4") + "\n", _ => Fixtures.Wire("A6") + "\n");
        run.Time.SetUtcNow(At(10, 12, 58));
        await run.RunAsync(new RecordingProgram(), Fixtures.Wire("A4") + "\n", _ => Fixtures.Wire("A7") + "\n");
        run.Time.SetUtcNow(At(10, 22, 59));
        await run.RunAsync(new RecordingProgram(), Fixtures.Wire("A8") + "\n");
        run.Time.SetUtcNow(At(10, 30, 0));
        await run.RunAsync(new RecordingProgram(), """{"version":1,"origin":{"name":"","module":"wazuh-execd"},"command":"add","parameters":{"extra_args":[],"alert":{"rule":{"level":5,"description":"Test.","id":5715},"data":{"dstuser":"Test."}},"program":"active-response/bin/firewall-drop"}}""" + "\n");

        // The fixture's last line is restart.sh's, which is not a protocol program.
        run.Log.ShouldBe(FixtureLog(0, s_fixtureLog.Length - 2));
    }

    [Fact]
    public async Task Stateless_programs_skip_the_handshake()
    {
        using var run = new SdkRun();
        var program = new RecordingProgram("webhook", stateful: false) { Keys = _ => [] };

        var (exit, stdout) = await run.RunAsync(program, Fixtures.Wire("A4") + "\n", _ => throw new InvalidOperationException("no handshake expected"), "active-response/bin/webhook");

        exit.ShouldBe(0);
        stdout.ShouldBeEmpty();
        program.Calls.ShouldBe(["add "]);
        run.LogMessages.ShouldBe(["Starting", Fixtures.Wire("A4"), "", "Ended"]);
    }

    [Fact]
    public async Task Check_keys_carries_the_basename_of_argv0()
    {
        using var run = new SdkRun();
        var (_, stdout) = await run.RunAsync(new RecordingProgram(), Fixtures.Wire("A4") + "\n", _ => Fixtures.Wire("A6") + "\n", "/var/ossec/active-response/bin/custom-block");

        stdout.ShouldBe("""{"version":1,"origin":{"name":"custom-block","module":"active-response"},"command":"check_keys","parameters":{"keys":["203.0.113.45"]}}""" + "\n");
        run.Log.ShouldContain("/var/ossec/active-response/bin/custom-block: Starting\n");
    }

    [Fact]
    public async Task Both_lines_arriving_at_once_are_both_read()
    {
        using var run = new SdkRun();
        var program = new RecordingProgram();
        using var stdin = new MemoryStream(Encoding.UTF8.GetBytes(Fixtures.Wire("A4") + "\n" + Fixtures.Wire("A6") + "\n"));
        using var stdout = new MemoryStream();

        var exit = await ResponseProgram.RunAsync(program, "active-response/bin/firewall-drop", stdin, stdout, run.Options, TestContext.Current.CancellationToken);

        exit.ShouldBe(0);
        program.Calls.ShouldBe(["add 203.0.113.45"]);
        Encoding.UTF8.GetString(stdout.ToArray()).ShouldBe(Fixtures.Wire("A5") + "\n");
    }

    [Fact]
    public async Task A_last_line_without_newline_is_still_read_and_logged_without_the_blank_line()
    {
        using var run = new SdkRun();
        var program = new RecordingProgram();

        var (exit, _) = await run.RunAsync(program, Fixtures.Wire("A8"));

        exit.ShouldBe(0);
        program.Calls.ShouldBe(["delete 203.0.113.45"]);
        run.LogMessages.ShouldBe(["Starting", Fixtures.Wire("A8"), "Ended"]);
    }

    [Fact]
    public async Task Continue_without_newline_at_end_of_input_is_accepted()
    {
        using var run = new SdkRun();
        var program = new RecordingProgram();

        var (exit, _) = await run.RunAsync(program, Fixtures.Wire("A4") + "\n", _ => Fixtures.Wire("A6"));

        exit.ShouldBe(0);
        program.Calls.ShouldBe(["add 203.0.113.45"]);
    }

    [Fact]
    public async Task Empty_stdin_is_Cannot_read_input_from_stdin()
    {
        using var run = new SdkRun();

        var (exit, _) = await run.RunAsync(new RecordingProgram(), string.Empty);

        exit.ShouldBe(255);
        run.LogMessages.ShouldBe(["Starting", "Cannot read input from stdin"]);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("[1,2]")]
    [InlineData("""{"version":"1","origin":{},"command":"add","parameters":{}}""")]
    [InlineData("""{"origin":{},"command":"add","parameters":{}}""")]
    [InlineData("""{"version":1,"origin":"x","command":"add","parameters":{}}""")]
    [InlineData("""{"version":1,"origin":{},"command":1,"parameters":{}}""")]
    [InlineData("""{"version":1,"origin":{},"command":"add","parameters":[]}""")]
    [InlineData("""{"version":1,"origin":{},"command":"add"}""")]
    [InlineData("""{"version":1,"origin":{},"command":"add","parameters":{""")]
    public async Task Malformed_first_lines_are_Invalid_input_format(string line)
    {
        using var run = new SdkRun();
        var program = new RecordingProgram();

        var (exit, stdout) = await run.RunAsync(program, line + "\n");

        exit.ShouldBe(255);
        stdout.ShouldBeEmpty();
        program.Calls.ShouldBeEmpty();
        run.LogMessages.ShouldBe(["Starting", line, "", "Invalid input format"]);
    }

    [Theory]
    [InlineData("continue")]
    [InlineData("check_keys")]
    [InlineData("restart")]
    [InlineData("ADD")]
    public async Task Other_first_commands_are_Invalid_value_of_command(string command)
    {
        using var run = new SdkRun();
        var line = Messages.WithSrcIp(command, "1.2.3.4");

        var (exit, _) = await run.RunAsync(new RecordingProgram(), line + "\n");

        exit.ShouldBe(255);
        run.LogMessages[^1].ShouldBe("Invalid value of 'command'");
    }

    [Theory]
    [InlineData("add")]
    [InlineData("delete")]
    [InlineData("check_keys")]
    public async Task Other_answers_than_continue_or_abort_are_Invalid_value_of_command(string answer)
    {
        using var run = new SdkRun();
        var program = new RecordingProgram();

        var (exit, _) = await run.RunAsync(program, Fixtures.Wire("A4") + "\n", _ => Messages.Answer(Fixtures.Wire("A4"), answer) + "\n");

        exit.ShouldBe(255);
        program.Calls.ShouldBeEmpty();
        run.LogMessages[^1].ShouldBe("Invalid value of 'command'");
    }

    [Fact]
    public async Task No_answer_is_Cannot_read_input_from_stdin()
    {
        using var run = new SdkRun();
        var program = new RecordingProgram();

        var (exit, _) = await run.RunAsync(program, Fixtures.Wire("A4") + "\n", _ => null);

        exit.ShouldBe(255);
        program.Calls.ShouldBeEmpty();
        run.LogMessages[^1].ShouldBe("Cannot read input from stdin");
    }

    [Fact]
    public async Task A_malformed_answer_is_Invalid_input_format()
    {
        using var run = new SdkRun();
        var program = new RecordingProgram();

        var (exit, _) = await run.RunAsync(program, Fixtures.Wire("A4") + "\n", _ => "{\"command\":\"continue\"}\n");

        exit.ShouldBe(255);
        program.Calls.ShouldBeEmpty();
        run.LogMessages[^3..].ShouldBe(["{\"command\":\"continue\"}", "", "Invalid input format"]);
    }

    [Fact]
    public async Task Member_names_are_case_insensitive_and_trailing_bytes_ignored_as_cJSON_does()
    {
        using var run = new SdkRun();
        var program = new RecordingProgram();
        var line = """{"VERSION":1,"Origin":{},"Command":"delete","PARAMETERS":{"Alert":{"DATA":{"SrcIp":"192.0.2.9"}}}} trailing garbage""";

        var (exit, _) = await run.RunAsync(program, line + "\n");

        exit.ShouldBe(0);
        program.Calls.ShouldBe(["delete 192.0.2.9"]);
    }

    [Fact]
    public async Task A_line_longer_than_fgets_reads_is_cut_at_65535_bytes()
    {
        using var run = new SdkRun();
        var padding = new string('x', 70_000);
        var line = Messages.Execd("delete", "{\"full_log\":\"" + padding + "\",\"data\":{\"srcip\":\"192.0.2.9\"}}");

        var (exit, _) = await run.RunAsync(new RecordingProgram(), line + "\n");

        exit.ShouldBe(255);
        run.LogMessages[1].Length.ShouldBe(65535);
        run.LogMessages[^1].ShouldBe("Invalid input format");
    }

    [Fact]
    public async Task Invalid_UTF8_in_the_alert_does_not_hide_the_source_ip()
    {
        using var run = new SdkRun();
        var program = new RecordingProgram();
        // Build the message by hand: cJSON passes bytes that are not UTF-8 through, so an attacker could put one in a log line.
        var bytes = Encoding.UTF8.GetBytes("""{"version":1,"origin":{},"command":"delete","parameters":{"alert":{"full_log":"bad """)
            .Concat(new byte[] { 0xFF, 0xFE, (byte)'\t' })
            .Concat(Encoding.UTF8.GetBytes(""" user","data":{"srcip":"192.0.2.9"}}}}""" + "\n"))
            .ToArray();
        using var stdin = new MemoryStream(bytes);
        using var stdout = new MemoryStream();

        var exit = await ResponseProgram.RunAsync(program, "active-response/bin/firewall-drop", stdin, stdout, run.Options, TestContext.Current.CancellationToken);

        exit.ShouldBe(0);
        program.Calls.ShouldBe(["delete 192.0.2.9"]);
        File.ReadAllBytes(run.LogPath).AsSpan().IndexOf(new byte[] { 0xFF, 0xFE, (byte)'\t' }).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task A_NUL_byte_ends_the_line_as_it_ends_a_C_string()
    {
        using var run = new SdkRun();
        var program = new RecordingProgram();

        var (exit, _) = await run.RunAsync(program, Messages.WithSrcIp("delete", "192.0.2.9") + "\0junk\n");

        exit.ShouldBe(0);
        program.Calls.ShouldBe(["delete 192.0.2.9"]);
        run.LogMessages.ShouldBe(["Starting", Messages.WithSrcIp("delete", "192.0.2.9"), "Ended"]);
    }

    [Fact]
    public async Task Outcomes_control_the_last_log_lines_and_the_exit_code()
    {
        using var run = new SdkRun();
        var skipped = new RecordingProgram { Action = _ => ResponseOutcome.Skipped("The iptables file 'iptables' is not accessible: No such file or directory (2)") };
        (await run.RunAsync(skipped, Fixtures.Wire("A8") + "\n")).ExitCode.ShouldBe(0);
        run.LogMessages[^1].ShouldBe("The iptables file 'iptables' is not accessible: No such file or directory (2)");

        var failed = new RecordingProgram { Action = _ => ResponseOutcome.Failed("broken", 3) };
        (await run.RunAsync(failed, Fixtures.Wire("A8") + "\n")).ExitCode.ShouldBe(3);
        run.LogMessages[^1].ShouldBe("broken");

        var noted = new RecordingProgram { Action = _ => ResponseOutcome.EndedWith("already there") };
        (await run.RunAsync(noted, Fixtures.Wire("A8") + "\n")).ExitCode.ShouldBe(0);
        run.LogMessages[^2..].ShouldBe(["already there", "Ended"]);
    }

    [Fact]
    public async Task Exceptions_become_log_lines_and_exit_codes()
    {
        using var run = new SdkRun();
        var refusing = new RecordingProgram { Action = _ => throw new ResponseException("Refused", 7) };
        (await run.RunAsync(refusing, Fixtures.Wire("A8") + "\n")).ExitCode.ShouldBe(7);
        run.LogMessages[^1].ShouldBe("Refused");

        var buggy = new RecordingProgram { Action = _ => throw new InvalidOperationException("oops") };
        (await run.RunAsync(buggy, Fixtures.Wire("A8") + "\n")).ExitCode.ShouldBe(1);
        run.LogMessages[^1].ShouldBe("Unexpected error: InvalidOperationException: oops");
    }

    [Fact]
    public async Task The_context_exposes_the_message_home_and_program_name()
    {
        using var run = new SdkRun();
        string[]? seen = null;
        var program = new RecordingProgram
        {
            Action = context =>
            {
                seen = [context.Command.ToString(), context.ProgramName, context.Home, context.Message.Program!, context.Message.OriginName!, context.Message.SourceIpVersion.ToString()!];
                return ResponseOutcome.Ended;
            },
        };

        await run.RunAsync(program, Fixtures.Wire("A8") + "\n");

        seen.ShouldBe(["Delete", "firewall-drop", run.Home, "active-response/bin/firewall-drop", "node01", "4"]);
    }
}
