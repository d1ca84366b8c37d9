namespace Riposte.Cli.Commands;

/// <summary>Issue 10 as a new user met it: what <c>validate</c> prints, and the <c>--role</c> spelling.</summary>
public sealed class ValidateFindingsCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("riposte-validate-");

    public void Dispose() => _dir.Delete(true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Both_errors_of_one_block_are_printed_and_the_exit_code_is_2()
    {
        var conf = Write("ossec.conf", """
            <ossec_config>
              <command>
                <name>firewall-drop</name>
                <executable>firewall-drop</executable>
              </command>
              <active-response>
                <command>firewall-drop</command>
                <level>25</level>
                <locaton>local</locaton>
              </active-response>
            </ossec_config>
            """);

        var result = await CliRunner.RunAsync(["validate", "--config", conf]);

        result.ExitCode.ShouldBe(2);
        result.OutLines.ShouldBe([
            $"{conf}:8:5: error (1235): Invalid value for element 'level': 25.",
            $"{conf}:9:5: error (1230): Invalid element in the configuration: 'locaton'.",
            $"{conf}:6:3: error (1281): Missing options in the active response configuration. ",
        ]);
        result.Error.ShouldBe("invalid configuration: 3 errors, 0 warnings\n");
    }

    [Fact]
    public async Task Serve_still_refuses_such_a_configuration()
    {
        using var home = new TestHome();
        await File.WriteAllTextAsync(home.Config, "<ossec_config><command><name>c</name><executable>c</executable></command>" +
            "<active-response><command>c</command><level>25</level><locaton>local</locaton></active-response></ossec_config>", TestContext.Current.CancellationToken);

        var result = await CliRunner.RunAsync(["serve", "--home", home.Path, "--alerts", home.Alerts, "--until-idle"]);

        result.ExitCode.ShouldBe(2);
        result.Error.ShouldContain("error (1235): Invalid value for element 'level': 25.");
        result.Error.ShouldContain("error (1230): Invalid element in the configuration: 'locaton'.");
    }

    [Fact]
    public async Task An_empty_file_passes_with_warnings()
    {
        var conf = Write("empty.conf", "");

        var result = await CliRunner.RunAsync(["validate", "--config", conf]);

        result.ExitCode.ShouldBe(0);
        result.OutLines.ShouldBe([$"{conf}:1:1: warning: '{conf}' is empty: it has no <ossec_config> root, so Wazuh reads no configuration from it."]);
        result.Error.ShouldBe("0 commands, 0 active responses (0 disabled or dropped), 0 errors, 1 warnings\n");
    }

    [Fact]
    public async Task A_file_holding_hello_is_said_not_to_be_xml()
    {
        var conf = Write("hello.conf", "hello\n");

        var result = await CliRunner.RunAsync(["validate", "--config", conf]);

        result.ExitCode.ShouldBe(0);
        result.OutLines.ShouldBe([
            $"{conf}:1:1: warning: '{conf}' is not XML: it holds text but no element, so there is no <ossec_config> root and Wazuh reads no configuration from it.",
        ]);
    }

    [Fact]
    public async Task A_configuration_without_commands_and_responses_is_warned_about()
    {
        var conf = Write("nothing.conf", "<ossec_config>\n  <global><white_list>127.0.0.1</white_list></global>\n</ossec_config>\n");

        var result = await CliRunner.RunAsync(["validate", "--config", conf]);

        result.ExitCode.ShouldBe(0);
        result.OutLines.ShouldBe([$"{conf}:1:1: warning: The configuration has no <command> and no <active-response>: no active response can run."]);
    }

    [Fact]
    public async Task An_unclosed_tag_is_reported_at_the_tag()
    {
        var conf = Write("unclosed.conf", "<ossec_config>\n  <command>\n    <name>x</name>\n    <executable>x</executable>\n");

        var result = await CliRunner.RunAsync(["validate", "--config", conf]);

        result.ExitCode.ShouldBe(2);
        result.OutLines.ShouldBe([
            $"{conf}:2:3: error (1226): Error reading XML file '{conf}': The 'command' start tag on line 2 position 3 is not closed before the end of the file.",
        ]);
    }

    [Fact]
    public async Task Help_spells_the_roles_in_lowercase()
    {
        var result = await CliRunner.RunAsync(["validate", "--help"]);

        result.Out.ShouldContain("--role <manager|agent>");
        result.Out.ShouldContain("Default: manager.");
        result.Out.ShouldNotContain("Agent|Manager");
        result.Out.ShouldNotContain("[default: Manager]");
    }

    [Theory]
    [InlineData("agent")]
    [InlineData("Agent")]
    [InlineData("AGENT")]
    public async Task The_role_is_read_in_any_case(string role)
    {
        // ca_verification is an error for analysisd (manager) only.
        var result = await CliRunner.RunAsync(["validate", "--role", role, "--config", Fixtures.Path("sample-agent-ossec-ar.xml")]);

        result.ExitCode.ShouldBe(0, result.Out);
    }

    [Fact]
    public async Task Without_role_it_is_the_manager()
    {
        var result = await CliRunner.RunAsync(["validate", "--config", Fixtures.Path("sample-agent-ossec-ar.xml")]);

        result.ExitCode.ShouldBe(2);
    }

    [Fact]
    public async Task An_unknown_role_is_a_usage_error_naming_the_roles_in_lowercase()
    {
        var result = await CliRunner.RunAsync(["validate", "--role", "server", "--config", Fixtures.Path("sample-agent-ossec-ar.xml")]);

        result.ExitCode.ShouldBe(1);
        result.Error.ShouldContain("--role must be manager or agent, not 'server'");
    }
}
