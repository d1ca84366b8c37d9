using Riposte.State;

namespace Riposte.Cli.Commands;

/// <summary>Stops, crashes and restarts of a real <c>riposte serve</c>: nothing written to alerts.json is lost.</summary>
public sealed class ServeDurabilityTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static int Count(string[] events, string prefix) => events.Count(e => e.StartsWith(prefix, StringComparison.Ordinal));

    private static void WriteSettings(TestHome home, string execution) =>
        File.WriteAllText(Path.Combine(home.Path, "etc", "riposte.json"), $$"""{ "safety": { "never_block_self": false }, "execution": { {{execution}} } }""");

    /// <summary>The events program, slowed down so that alerts queue behind the single slot.</summary>
    private static string SlowProgram => TestHome.EventsProgram.Replace("IFS= read -r line1", "IFS= read -r line1\nsleep 0.3", StringComparison.Ordinal);

    [Fact]
    public async Task SIGTERM_with_alerts_queued_applies_every_one_of_them_after_the_restart()
    {
        using var home = new TestHome(timeout: 600);
        WriteSettings(home, "\"max_parallel\": 1");
        home.WriteProgram("firewall-drop", SlowProgram);
        for (var i = 1; i <= 10; i++)
        {
            home.AppendAlert($"192.0.2.{i}", $"1.{i}");
        }

        await using (var first = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts, "--from-start"))
        {
            await TestHome.WaitForAsync(() => Count(home.Events(), "add") >= 1, "the first add");
            first.Signal("TERM");
            (await first.WaitForExitAsync()).ShouldBe(0, first.Log);
        }

        Count(home.Events(), "add").ShouldBeLessThan(10, "the stop came too late to leave alerts queued; the test proves nothing");
        await using (var second = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts, "--until-idle"))
        {
            (await second.WaitForExitAsync(60_000)).ShouldBe(0, second.Log);
        }

        var events = home.Events();
        for (var i = 1; i <= 10; i++)
        {
            events.Count(e => e == $"add 192.0.2.{i}").ShouldBe(1, string.Join("\n", events));
        }

        events.Length.ShouldBe(10, string.Join("\n", events));
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("KILL")]
    public async Task A_start_at_the_end_of_the_file_resumes_there_after_a_stop_or_a_crash(string how)
    {
        using var home = new TestHome(timeout: 600);
        home.AppendAlert("198.51.100.1", "0.1");

        await using (var first = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts))
        {
            await TestHome.WaitForAsync(() => first.Log.Contains("Following", StringComparison.Ordinal), "the start position");
            if (how == "KILL")
            {
                await first.KillHardAsync();
            }
            else
            {
                first.Signal("TERM");
                (await first.WaitForExitAsync()).ShouldBe(0, first.Log);
            }
        }

        for (var i = 1; i <= 5; i++)
        {
            home.AppendAlert($"198.51.100.{10 + i}", $"2.{i}");
        }

        await using (var second = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts, "--until-idle"))
        {
            (await second.WaitForExitAsync(60_000)).ShouldBe(0, second.Log);
        }

        // The alert from before the first start is not applied (it started at the end); the five written while down are.
        home.Events().ShouldBe([.. Enumerable.Range(11, 5).Select(i => $"add 198.51.100.{i}")], ignoreOrder: true);
    }

    [Fact]
    public async Task A_storm_of_SIGTERMs_during_the_stop_never_crashes_it()
    {
        using var home = new TestHome(timeout: 600);
        for (var round = 0; round < 3; round++)
        {
            await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
            await TestHome.WaitForAsync(() => daemon.Log.Contains("Started", StringComparison.Ordinal), "start");
            while (!daemon.HasExited)
            {
                daemon.Terminate();
                await Task.Delay(2, Ct);
            }

            (await daemon.WaitForExitAsync()).ShouldBe(0, daemon.Log);
            daemon.Log.ShouldNotContain("Exception", customMessage: daemon.Log);
        }
    }

    [Fact]
    public async Task A_second_serve_on_the_same_home_is_refused_while_the_first_runs()
    {
        using var home = new TestHome(timeout: 600);
        await using var first = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
        await TestHome.WaitForAsync(() => first.Log.Contains("Started", StringComparison.Ordinal), "start");

        await using var second = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
        (await second.WaitForExitAsync(30_000)).ShouldBe(75, second.Log);
        await TestHome.WaitForAsync(() => second.Log.Contains("owns the state", StringComparison.Ordinal), "the refusal");
        second.Log.ShouldContain($"another Riposte process (pid {first.Pid}) owns the state");
        first.HasExited.ShouldBeFalse();
    }

    [Fact]
    public async Task Trigger_never_runs_a_second_engine_beside_one_that_owns_the_state()
    {
        using var home = new TestHome(timeout: 600);
        var statePath = Path.Combine(home.Path, "riposte", "state.db");
        using (var owner = StateLock.TryAcquire(statePath, out _))
        {
            owner.ShouldNotBeNull();
            // Like a daemon that is starting: it owns the state and its control socket is not up yet.
            var trigger = await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop600", "--srcip", "203.0.113.5", "--wait", "1"]);
            trigger.ExitCode.ShouldBe(75, trigger.Error);
            trigger.Error.ShouldContain("does not answer");
            var revoke = await CliRunner.RunAsync(["revoke", "--home", home.Path, "203.0.113.5", "--wait", "0"]);
            revoke.ExitCode.ShouldBe(75, revoke.Error);
        }

        home.Events().ShouldBeEmpty();
    }

    [Fact]
    public async Task Trigger_in_the_first_moments_of_a_start_still_gets_its_delete_on_time()
    {
        using var home = new TestHome(timeout: 3);
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
        // No wait for "Started": the trigger lands while the daemon is starting (or just before it).
        var trigger = await CliRunner.RunAsync(["trigger", "--home", home.Path, "--command", "firewall-drop3", "--srcip", "203.0.113.6"]);
        trigger.ExitCode.ShouldBe(0, trigger.Error + daemon.Log);

        await TestHome.WaitForAsync(() => home.Events().Contains("delete 203.0.113.6"), "the delete", 30_000);
        home.Events().ShouldBe(["add 203.0.113.6", "delete 203.0.113.6"]);
        daemon.HasExited.ShouldBeFalse(daemon.Log);
    }
}
