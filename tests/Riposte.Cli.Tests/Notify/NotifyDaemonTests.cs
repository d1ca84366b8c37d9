using Riposte.Notifications.Infrastructure;

namespace Riposte.Cli.Notify;

/// <summary>Notifications from a real <c>riposte serve</c>: durable across kill -9, and never in the way of a response.</summary>
public sealed class NotifyDaemonTests
{
    private static void WriteSettings(TestHome home, string notifications) =>
        File.WriteAllText(Path.Combine(home.Path, "etc", "riposte.json"),
            $$"""{ "safety": { "never_block_self": false }, "notifications": [ {{notifications}} ] }""");

    private static string Hook(int port, string name = "hook") =>
        $$"""{ "name": "{{name}}", "url": "http://127.0.0.1:{{port}}/hook", "retry": { "max_attempts": 100, "base_delay": "100ms", "max_delay": "500ms" } }""";

    private static string[] Adds(TestHome home) => [.. home.Events().Where(e => e.StartsWith("add ", StringComparison.Ordinal))];

    [Fact]
    public async Task Events_a_down_receiver_missed_all_arrive_after_kill_9_and_a_restart()
    {
        using var home = new TestHome(timeout: 600);
        int port = HttpReceiver.FreePort();
        WriteSettings(home, Hook(port));
        File.WriteAllText(home.Alerts, "");

        await using (var first = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts))
        {
            await TestHome.WaitForAsync(() => first.Log.Contains("Notification hook (webhook): delivering", StringComparison.Ordinal), "delivery to start");
            for (var i = 1; i <= 5; i++)
            {
                home.AppendAlert($"192.0.2.{i}", $"1.{i}");
            }

            await TestHome.WaitForAsync(() => Adds(home).Length >= 5, "five responses");
            await TestHome.WaitForAsync(() => first.Log.Contains("attempt 2 of 100 failed", StringComparison.Ordinal), "the receiver to be found down");
            await first.KillHardAsync();
        }

        using var receiver = new HttpReceiver(port);
        await using (var second = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts))
        {
            await TestHome.WaitForAsync(() => receiver.Accepted.Select(b => (string?)b["keys"]?[0]).Distinct().Count() >= 5, "every event", 60_000);
            second.Terminate();
            (await second.WaitForExitAsync()).ShouldBe(0, second.Log);
        }

        var delivered = receiver.Accepted.Where(b => (string?)b["event"] == "add").Select(b => (string)b["keys"]![0]!).ToHashSet();
        delivered.ShouldBe(["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"], ignoreOrder: true);
    }

    [Fact]
    public async Task A_receiver_that_never_answers_holds_up_no_response_nor_the_shutdown()
    {
        using var home = new TestHome(timeout: 600);
        using var hanging = new HttpReceiver { Answer = _ => 0 };
        using var slow = new HttpReceiver { Answer = _ => 0 };
        WriteSettings(home, Hook(hanging.Port) + ", " + Hook(slow.Port, "slack") .Replace("\"name\": \"slack\"", "\"name\": \"slack\", \"type\": \"slack\"", StringComparison.Ordinal));
        File.WriteAllText(home.Alerts, "");

        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Notification slack (slack): delivering", StringComparison.Ordinal), "delivery to start");
        home.AppendAlert("198.51.100.1", "1.0");
        await TestHome.WaitForAsync(() => hanging.Requests >= 1 && slow.Requests >= 1, "the receivers to be hanging on a request");
        for (var i = 2; i <= 30; i++)
        {
            home.AppendAlert($"198.51.100.{i}", $"1.{i}");
        }

        // Every response ran to its end (the events program wrote its line) while both receivers hold their first request.
        await TestHome.WaitForAsync(() => Adds(home).Length >= 30, "thirty responses");
        hanging.Accepted.ShouldBeEmpty();
        daemon.Terminate();
        (await daemon.WaitForExitAsync()).ShouldBe(0, daemon.Log);
    }

    [Fact]
    public async Task Notify_test_sends_a_sample_event_and_reports_the_outcome()
    {
        using var home = new TestHome(timeout: 600);
        using var receiver = new HttpReceiver();
        int down = HttpReceiver.FreePort();
        WriteSettings(home, Hook(receiver.Port, "up") + ", " + Hook(down, "down"));

        var ok = await CliRunner.RunAsync(["notify", "test", "up", "--home", home.Path]);
        ok.ExitCode.ShouldBe(0, ok.Error);
        ok.Out.ShouldContain("up (webhook): sample event delivered");
        ((string)receiver.Accepted.Single()["event"]!).ShouldBe("add");

        var failed = await CliRunner.RunAsync(["notify", "test", "down", "--home", home.Path, "--timeout", "5"]);
        failed.ExitCode.ShouldBe(75);
        failed.Error.ShouldContain("down (webhook): failed:");

        var unknown = await CliRunner.RunAsync(["notify", "test", "nope", "--home", home.Path]);
        unknown.ExitCode.ShouldBe(2);
        unknown.Error.ShouldContain("no notification is named \"nope\" (known: up, down)");
    }
}
