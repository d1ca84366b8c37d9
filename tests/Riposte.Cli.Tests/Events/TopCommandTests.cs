namespace Riposte.Cli.Events;

/// <summary><c>riposte top</c> as a real child process reading a real daemon's state.</summary>
public sealed class TopCommandTests
{
    [Fact]
    public async Task Once_shows_the_active_count_the_events_per_kind_and_the_top_responses()
    {
        using var home = new TestHome(timeout: 600);
        await using (var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts))
        {
            await TestHome.WaitForAsync(() => daemon.Log.Contains("Following", StringComparison.Ordinal), "the tail to open");
            home.AppendAlert("192.0.2.1", "1.1");
            home.AppendAlert("192.0.2.2", "1.2");
            home.AppendAlert("192.0.2.1", "1.3");
            await TestHome.WaitForAsync(() => home.Events().Length == 3, "two adds and a repeat");

            var top = await CliRunner.RunProcessAsync(["top", "--home", home.Path, "--once"]);
            top.ExitCode.ShouldBe(0, top.Error);
            top.Out.ShouldContain("active responses: 2");
            // The last-hour column; the last minute's depends on how long the machine took, so it is not pinned.
            top.OutLines.ShouldContain(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^add\s+\d\s+2$"), top.Out);
            top.OutLines.ShouldContain(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^abort\s+\d\s+1$"), top.Out);
            // Two adds and an abort; the continues before the adds are not counted again.
            top.Out.ShouldContain("top responses (last hour): firewall-drop600 3");
            top.Out.ShouldNotContain("\e[");
        }
    }

    [Fact]
    public async Task It_refreshes_until_SIGTERM_then_exits_0()
    {
        using var home = new TestHome(timeout: 600);
        await using (var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts))
        {
            await TestHome.WaitForAsync(() => daemon.Log.Contains("Following", StringComparison.Ordinal), "the tail to open");
            await using var top = RunningCommand.Start("top", "--home", home.Path, "--interval", "1");
            await top.WaitForLineAsync(l => l == "no events in the last hour", "the first summary");
            home.AppendAlert("192.0.2.1", "1.1");
            await top.WaitForLineAsync(l => l == "active responses: 1", "a summary that counts the new block");
            top.Signal("TERM");
            (await top.WaitForExitAsync()).ShouldBe(0, top.Error);
        }
    }
}
