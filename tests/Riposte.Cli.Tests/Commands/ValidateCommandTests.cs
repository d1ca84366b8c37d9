namespace Riposte.Cli.Commands;

public sealed class ValidateCommandTests
{
    [Fact]
    public async Task Valid_config_exits_0_and_prints_findings()
    {
        var result = await CliRunner.RunAsync(["validate", "--config", Fixtures.ManagerConfig]);

        result.ExitCode.ShouldBe(0);
        result.OutLines.ShouldBe([$"{Fixtures.ManagerConfig}:119:3: info (1305): Timeout not allowed for command: 'restart-wazuh'."]);
        result.Error.ShouldContain("8 commands, 7 active responses");
    }

    [Fact]
    public async Task Agent_config_on_a_manager_is_rejected_with_1230()
    {
        var result = await CliRunner.RunAsync(["validate", "--config", Fixtures.Path("sample-agent-ossec-ar.xml")]);

        result.ExitCode.ShouldBe(2);
        result.OutLines.ShouldBe([$"{Fixtures.Path("sample-agent-ossec-ar.xml")}:10:5: error (1230): Invalid element in the configuration: 'ca_verification'."]);
    }

    [Fact]
    public async Task Settings_file_is_checked_too()
    {
        var dir = Directory.CreateTempSubdirectory("riposte-cli-");
        try
        {
            var settings = Path.Combine(dir.FullName, "riposte.json");
            await File.WriteAllTextAsync(settings, "{\n  \"execution\": { \"max_paralel\": 4 }\n}\n", TestContext.Current.CancellationToken);

            var result = await CliRunner.RunAsync(["validate", "--config", Fixtures.ManagerConfig, "--settings", settings]);

            result.ExitCode.ShouldBe(2);
            result.OutLines.ShouldContain(l => l.StartsWith($"{settings}:2:18: error", StringComparison.Ordinal));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public async Task A_bad_teams_format_and_a_format_on_a_webhook_are_reported_at_their_values()
    {
        var dir = Directory.CreateTempSubdirectory("riposte-cli-");
        try
        {
            var settings = Path.Combine(dir.FullName, "riposte.json");
            await File.WriteAllTextAsync(settings, """
                { "notifications": [
                  { "name": "t", "type": "teams", "url": "https://h.example/", "format": "legacy" },
                  { "name": "w", "url": "https://h.example/", "format": "message-card" } ] }
                """, TestContext.Current.CancellationToken);

            var result = await CliRunner.RunAsync(["validate", "--config", Fixtures.ManagerConfig, "--settings", settings]);

            result.ExitCode.ShouldBe(2);
            result.OutLines.ShouldContain($"{settings}:2:74: error: notifications[0].format must be one of \"adaptive-card\", \"message-card\", not \"legacy\"");
            result.OutLines.ShouldContain($"{settings}:3:57: error: notifications[1].format is only for type \"teams\", not \"webhook\"");
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public async Task Example_settings_are_valid()
    {
        var example = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "examples", "riposte.json");

        var result = await CliRunner.RunAsync(["validate", "--config", Fixtures.ManagerConfig, "--settings", example]);

        result.ExitCode.ShouldBe(0, result.Out);
    }

    [Fact]
    public async Task Agent_config_is_valid_for_the_agent_role()
    {
        var result = await CliRunner.RunAsync(["validate", "--role", "agent", "--config", Fixtures.Path("sample-agent-ossec-ar.xml")]);

        result.ExitCode.ShouldBe(0, result.Out);
        result.OutLines.ShouldBeEmpty();
    }

    [Fact]
    public async Task Missing_config_option_is_a_usage_error()
    {
        (await CliRunner.RunAsync(["validate"])).ExitCode.ShouldBe(1);
    }

    [Fact]
    public async Task Help_is_available()
    {
        var result = await CliRunner.RunAsync(["validate", "--help"]);

        result.ExitCode.ShouldBe(0);
        result.Out.ShouldContain("--config");
    }

    [Fact]
    public async Task Runs_as_a_real_process()
    {
        var result = await CliRunner.RunProcessAsync(["validate", "--config", Fixtures.Path("sample-agent-ossec-ar.xml")]);

        result.ExitCode.ShouldBe(2);
        result.Out.ShouldContain("error (1230)");
    }
}
