namespace Riposte.Cli.Doctor;

public sealed class ConfigCheckTests
{
    [Fact]
    public async Task A_bad_configuration_fails_with_each_error_at_its_file_line_and_column()
    {
        using var home = new DoctorHome();
        await File.WriteAllTextAsync(home.Home.Config, """
            <ossec_config>
              <active-response>
                <command>nope</command>
                <location>local</location>
              </active-response>
            </ossec_config>
            """, TestContext.Current.CancellationToken);

        var (exit, report) = await home.RunJsonAsync();
        var validate = await CliRunner.RunAsync(["validate", "--config", home.Home.Config]);

        exit.ShouldBe(ExitCodes.InvalidInput);
        var config = report.One("config", home.Home.Config);
        config.GetProperty("status").GetString().ShouldBe("fail");
        var details = config.GetProperty("details").EnumerateArray().Select(d => d.GetString()!).ToList();
        details.ShouldNotBeEmpty();
        // The same findings, in the same words, as `riposte validate`: one reader of the configuration.
        details.ShouldBe(validate.OutLines.Where(l => !l.Contains(": info ", StringComparison.Ordinal)));
        details.ShouldContain($"{home.Home.Config}:2:3: error (1303): Invalid command 'nope' in the active response.");
        config.GetProperty("fix").GetString()!.ShouldContain($"riposte validate --role manager --config {home.Home.Config}");
        // Nothing else can be judged without a configuration, and that is said rather than guessed.
        report.One("programs", "programs").GetProperty("status").GetString().ShouldBe("skip");
    }

    [Fact]
    public async Task Text_output_prints_the_findings_under_the_failed_line()
    {
        using var home = new DoctorHome();
        await File.WriteAllTextAsync(home.Home.Config, "<ossec_config>\n<active-response><command>nope</command><location>local</location></active-response>\n</ossec_config>\n",
            TestContext.Current.CancellationToken);

        var result = await home.RunAsync();

        result.ExitCode.ShouldBe(ExitCodes.InvalidInput);
        var lines = result.Out.Split('\n');
        var failed = Array.FindIndex(lines, l => l.StartsWith($"  ✘ {home.Home.Config}: ", StringComparison.Ordinal));
        failed.ShouldBeGreaterThanOrEqualTo(0, result.Out);
        lines[failed + 1].ShouldStartWith($"      {home.Home.Config}:2:");
    }
}
