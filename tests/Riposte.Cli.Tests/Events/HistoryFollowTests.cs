using System.Text.Json;

namespace Riposte.Cli.Events;

/// <summary><c>riposte history --follow</c> as a real child process beside a real <c>riposte serve</c>.</summary>
public sealed class HistoryFollowTests
{
    private static readonly string[] Fields =
        ["id", "time", "event", "severity", "agent", "response", "rkey", "keys", "program", "alert_id", "rule_id", "rule_level", "exit_code", "duration_ms", "detail", "source"];

    private static bool IsAdd(string line, string ip) => line.Contains(" add ", StringComparison.Ordinal) && line.Contains(" " + ip + " ", StringComparison.Ordinal);

    private static async Task<DaemonProcess> StartDaemonAsync(TestHome home)
    {
        var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Following", StringComparison.Ordinal), "the tail to open");
        return daemon;
    }

    [Fact]
    public async Task Shows_the_last_events_then_each_new_one_and_ends_with_0_on_SIGTERM()
    {
        using var home = new TestHome(timeout: 600);
        await using var daemon = await StartDaemonAsync(home);
        home.AppendAlert("192.0.2.1", "1.1");
        await TestHome.WaitForAsync(() => home.Events().Length == 1, "the first add");

        await using var follow = RunningCommand.Start("history", "--follow", "--home", home.Path);
        await follow.WaitForLineAsync(l => IsAdd(l, "192.0.2.1"), "the earlier add");
        home.AppendAlert("192.0.2.2", "1.2");
        await follow.WaitForLineAsync(l => IsAdd(l, "192.0.2.2"), "the new add");

        var line = follow.Lines.First(l => IsAdd(l, "192.0.2.2"));
        line.ShouldContain("firewall-drop600");
        line.ShouldContain("exit 0");
        line.ShouldMatch(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ add ");
        // stdout is a pipe here: no colours.
        follow.Lines.ShouldAllBe(l => !l.Contains('\e'));
        follow.Signal("TERM");
        (await follow.WaitForExitAsync()).ShouldBe(0, follow.Error);
    }

    [Fact]
    public async Task Json_lines_are_events_and_limit_and_event_filters_apply_to_old_and_new_events()
    {
        using var home = new TestHome(timeout: 600);
        await using var daemon = await StartDaemonAsync(home);
        home.AppendAlert("192.0.2.1", "1.1");
        home.AppendAlert("192.0.2.2", "1.2");
        await TestHome.WaitForAsync(() => home.Events().Length == 2, "two adds");

        await using var follow = RunningCommand.Start("history", "--follow", "--home", home.Path, "--format", "json", "--event", "add", "--limit", "1");
        await follow.WaitForLineAsync(l => l.Contains("\"event\":\"add\"", StringComparison.Ordinal), "the last earlier add");
        home.AppendAlert("192.0.2.3", "1.3");
        await follow.WaitForLineAsync(l => l.Contains("192.0.2.3", StringComparison.Ordinal), "the new add");
        follow.Signal("INT");
        (await follow.WaitForExitAsync()).ShouldBe(0, follow.Error);

        var events = follow.Lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        events.Count.ShouldBe(2, string.Join("\n", follow.Lines));
        events.ShouldAllBe(e => e.GetProperty("event").GetString() == "add");
        // --limit 1: one earlier add, then the new one.
        events[0].GetProperty("keys")[0].GetString().ShouldBeOneOf("192.0.2.1", "192.0.2.2");
        events[1].GetProperty("keys")[0].GetString().ShouldBe("192.0.2.3");
        foreach (var e in events)
        {
            foreach (var field in Fields)
            {
                e.TryGetProperty(field, out _).ShouldBeTrue($"{field} missing in {e}");
            }
        }
    }

    [Fact]
    public async Task Key_filters_the_followed_events()
    {
        using var home = new TestHome(timeout: 600);
        await using var daemon = await StartDaemonAsync(home);
        await using var follow = RunningCommand.Start("history", "--follow", "--home", home.Path, "--key", "192.0.2.5");
        home.AppendAlert("192.0.2.4", "1.4");
        await TestHome.WaitForAsync(() => home.Events().Length == 1, "the add of the other address");
        home.AppendAlert("192.0.2.5", "1.5");
        await follow.WaitForLineAsync(l => IsAdd(l, "192.0.2.5"), "the add of the followed address");
        follow.Signal("TERM");
        (await follow.WaitForExitAsync()).ShouldBe(0, follow.Error);

        // Events are shown in the order recorded, so the other address's were seen (and left out) before this one's.
        follow.Lines.ShouldNotContain(l => l.Contains("192.0.2.4", StringComparison.Ordinal), string.Join("\n", follow.Lines));
        follow.Lines.ShouldAllBe(l => l.Contains("192.0.2.5", StringComparison.Ordinal));
    }
}
