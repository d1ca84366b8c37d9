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
            // The adds, not any five events: each address's "continue" comes first, and stopping on those left adds unsent.
            await TestHome.WaitForAsync(() => receiver.Accepted.Where(b => (string?)b["event"] == "add").Select(b => (string?)b["keys"]?[0]).Distinct().Count() >= 5,
                "every address's add", 60_000);
            second.Terminate();
            (await second.WaitForExitAsync()).ShouldBe(0, second.Log);
        }

        var delivered = receiver.Accepted.Where(b => (string?)b["event"] == "add").Select(b => (string)b["keys"]![0]!).ToHashSet();
        delivered.ShouldBe(["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"], ignoreOrder: true,
            string.Join("\n", receiver.Accepted.Select(b => b.ToJsonString())));
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
    public async Task Sighup_starts_a_webhook_added_to_the_settings_and_rejects_a_broken_file_at_its_position_keeping_the_webhook()
    {
        using var home = new TestHome(timeout: 600);
        using var receiver = new HttpReceiver();
        var settings = Path.Combine(home.Path, "etc", "riposte.json");
        File.WriteAllText(settings, """{ "safety": { "never_block_self": false } }""");
        File.WriteAllText(home.Alerts, "");

        await using var daemon = DaemonProcess.Start("--home", home.Path, "--alerts", home.Alerts);
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Started", StringComparison.Ordinal), "start");
        home.AppendAlert("192.0.2.1", "1.1");
        await TestHome.WaitForAsync(() => Adds(home).Length == 1, "a response with no notifications configured");

        // The webhook is added to the settings file and the daemon told to reload: it starts, from now on.
        WriteSettings(home, Hook(receiver.Port));
        daemon.Signal("HUP");
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Notification hook (webhook): delivering", StringComparison.Ordinal), "the new channel to start");
        home.AppendAlert("192.0.2.2", "1.2");
        await TestHome.WaitForAsync(() => Delivered(receiver).Contains("192.0.2.2"), "the response after the reload at the webhook");

        // A broken file is rejected with the error riposte validate prints, and the webhook keeps running.
        File.WriteAllText(settings, """{ "notifications": [ { "name": "hook", "url": 42 } ] }""");
        var validate = await CliRunner.RunAsync(["validate", "--config", home.Config, "--settings", settings]);
        var error = validate.Out.Split('\n').First(l => l.Contains(": error", StringComparison.Ordinal)).Trim();
        error.ShouldStartWith(settings + ":1:");
        daemon.Signal("HUP");
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Settings reload rejected: " + error, StringComparison.Ordinal), "the rejection, at its position");
        // Logged after the errors: waited for too, not read at once.
        await TestHome.WaitForAsync(() => daemon.Log.Contains($"Settings reload of {settings} rejected; the previous notification channels keep running",
            StringComparison.Ordinal), "the rejection's last line");
        home.AppendAlert("192.0.2.3", "1.3");
        await TestHome.WaitForAsync(() => Delivered(receiver).Contains("192.0.2.3"), "the response after the rejected reload at the webhook");

        daemon.Log.ShouldNotContain("restart riposte serve to apply", Case.Sensitive, "only notifications changed");
        daemon.Terminate();
        (await daemon.WaitForExitAsync()).ShouldBe(0, daemon.Log);
        Delivered(receiver).ShouldBe(["192.0.2.2", "192.0.2.3"], "a channel added by a reload starts at the newest event, like one added before a start");
    }

    private static string[] Delivered(HttpReceiver receiver) =>
        [.. receiver.Accepted.Where(b => (string?)b["event"] == "add").Select(b => (string)b["keys"]![0]!)];

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
