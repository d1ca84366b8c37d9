using System.Text.Json;

namespace Riposte.Cli.Events;

/// <summary>The events file through crashes and failures: nothing recorded goes missing, and responses never wait for it.</summary>
public sealed class EventsFileDurabilityTests
{
    private static long[] FileIds(TestHome home)
    {
        var path = EventsFileWriter.PathIn(home.Path);
        return File.Exists(path)
            ? [.. File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("riposte").GetProperty("id").GetInt64())]
            : [];
    }

    private static async Task<long[]> AuditIdsAsync(TestHome home) => [.. (await EventScenario.ReadAuditAsync(home)).Select(r => r.Id)];

    [Fact]
    public async Task After_kill_9_and_a_restart_every_recorded_event_is_in_the_file()
    {
        using var home = new TestHome(timeout: 600);
        await using (var first = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts))
        {
            await TestHome.WaitForAsync(() => first.Log.Contains("Following", StringComparison.Ordinal), "the tail to open");
            for (var i = 1; i <= 20; i++)
            {
                home.AppendAlert($"192.0.2.{i}", $"1.{i}");
            }

            // Killed as soon as the audit trail has events, whether or not the file has caught up.
            await TestHome.WaitForAsync(() => home.Events().Length >= 5, "some adds");
            await first.KillHardAsync();
        }

        for (var i = 21; i <= 25; i++)
        {
            home.AppendAlert($"192.0.2.{i}", $"2.{i}");
        }

        await using (var second = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts, "--until-idle"))
        {
            (await second.WaitForExitAsync(60_000)).ShouldBe(0, second.Log);
        }

        var recorded = await AuditIdsAsync(home);
        recorded.Length.ShouldBeGreaterThanOrEqualTo(25, "at least one event per alert");
        var written = FileIds(home);
        // At least once: lines after the last saved position are written again after the crash; none is missing.
        written.Distinct().ShouldBe(recorded, $"file: {string.Join(",", written)}");
    }

    [Fact]
    public async Task A_symlink_planted_at_the_file_is_reported_once_and_not_followed_and_the_events_follow_once_it_is_gone()
    {
        using var home = new TestHome(timeout: 600);
        var target = Path.Combine(home.Path, "elsewhere");
        File.WriteAllText(target, "");
        var path = EventsFileWriter.PathIn(home.Path);
        File.CreateSymbolicLink(path, target);
        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Following", StringComparison.Ordinal), "the tail to open");
        home.AppendAlert("192.0.2.1", "1.1");
        home.AppendAlert("192.0.2.2", "1.2");

        // Responses go on while the file cannot be written.
        await TestHome.WaitForAsync(() => home.Events().Length == 2, "both adds");
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Cannot write the events file", StringComparison.Ordinal), "the report" + daemon.Log);
        home.AppendAlert("192.0.2.3", "1.3");
        await TestHome.WaitForAsync(() => home.Events().Length == 3, "the third add");
        File.ReadAllText(target).ShouldBeEmpty();

        File.Delete(path);
        var recorded = await AuditIdsAsync(home);
        await TestHome.WaitForAsync(() => FileIds(home).Length == recorded.Length, "the waiting events to be written" + daemon.Log);
        FileIds(home).ShouldBe(recorded);
        // The daemon says so after the write, and its log reaches the test through a pipe: wait for the line.
        await TestHome.WaitForAsync(() => daemon.Log.Contains("is written again", StringComparison.Ordinal), "the recovery's report" + daemon.Log);
        daemon.Log.Split("Cannot write the events file").Length.ShouldBe(2, daemon.Log);
        File.ReadAllText(target).ShouldBeEmpty();
    }
}
