namespace Riposte.Cli.Daemon;

public sealed class ServePlanTests
{
    private const string Ghost = """
        <command><name>ghost</name><executable>ghost</executable><timeout_allowed>yes</timeout_allowed></command>
        <active-response><command>ghost</command><location>local</location><rules_id>5712</rules_id><timeout>60</timeout></active-response>
        """;

    private const string Phantom = """
        <command><name>phantom</name><executable>phantom.sh</executable><timeout_allowed>yes</timeout_allowed></command>
        <active-response><command>phantom</command><location>local</location><rules_id>5713</rules_id><timeout>30</timeout></active-response>
        """;

    [Fact]
    public async Task Serve_warns_about_each_response_without_a_program_and_says_what_it_will_do_at_start_and_at_each_reload()
    {
        using var home = new TestHome();
        home.WriteConfig(600, Ghost);
        var ghostWarning = $"Response ghost60: program {home.Path}/active-response/bin/ghost is missing; it will not run until fixed (see riposte doctor)";
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);

        var started = $"2 responses configured: 1 runnable, 1 without a program (ghost60); reading {home.Alerts}; 0 pending deletes scheduled";
        await TestHome.WaitForAsync(() => daemon.Log.Contains(started, StringComparison.Ordinal), "the summary at start: " + started);
        daemon.Log.ShouldContain(ghostWarning);

        home.WriteConfig(600, Ghost + Phantom);
        daemon.Signal("HUP");
        var reloaded = $"3 responses configured: 1 runnable, 2 without a program (ghost60, phantom30); reading {home.Alerts}; 0 pending deletes scheduled";
        await TestHome.WaitForAsync(() => daemon.Log.Contains(reloaded, StringComparison.Ordinal), "the summary after the reload: " + reloaded);

        var log = daemon.Log;
        log.Split('\n').Count(l => l.Contains(ghostWarning, StringComparison.Ordinal)).ShouldBe(2, log);
        log.ShouldContain($"Response phantom30: program {home.Path}/active-response/bin/phantom.sh is missing");
        log.IndexOf("Configuration reloaded", StringComparison.Ordinal).ShouldBeLessThan(log.IndexOf(reloaded, StringComparison.Ordinal));
        daemon.Signal("TERM");
        (await daemon.WaitForExitAsync()).ShouldBe(0, log);
    }

    [Fact]
    public async Task The_summary_counts_the_pending_deletes_of_the_state()
    {
        using var home = new TestHome();
        home.AppendAlert("192.0.2.80", "7.1");
        var first = await CliRunner.RunProcessAsync(["serve", "--home", home.Path, "--alerts", home.Alerts, "--from-start", "--until-idle"]);
        first.ExitCode.ShouldBe(0, first.Error);

        var second = await CliRunner.RunProcessAsync(["serve", "--home", home.Path, "--alerts", home.Alerts, "--until-idle"]);

        second.ExitCode.ShouldBe(0, second.Error);
        second.Error.ShouldContain($"1 response configured: 1 runnable; reading {home.Alerts}; 1 pending deletes scheduled");
        second.Error.ShouldNotContain("without a program");
    }
}
