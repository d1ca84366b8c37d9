using System.Text.Json;
using Riposte.State;

namespace Riposte.Cli.Events;

/// <summary>
/// One real <c>riposte serve</c> run that records most kinds of event (applied, repeat, reverted, failed, killed,
/// refused, rate-limited), then stops: its events file is what the tests read.
/// </summary>
public sealed class EventScenario : IAsyncLifetime
{
    private readonly TestHome _home = new();

    /// <summary>The lines of the events file, as written.</summary>
    public string[] Lines { get; private set; } = [];

    /// <summary>Each line, parsed.</summary>
    public IReadOnlyList<JsonElement> Parsed { get; private set; } = [];

    /// <summary>The audit trail the daemon recorded, by id.</summary>
    public IReadOnlyList<AuditRecord> Audit { get; private set; } = [];

    internal TestHome Home => _home;

    public async ValueTask InitializeAsync()
    {
        _home.WriteConfig(2, """
            <command><name>broken</name><executable>broken</executable><timeout_allowed>yes</timeout_allowed></command>
            <command><name>hang</name><executable>hang</executable><timeout_allowed>yes</timeout_allowed></command>
            <active-response><command>broken</command><location>local</location><rules_id>5713</rules_id><timeout>600</timeout></active-response>
            <active-response><command>hang</command><location>local</location><rules_id>5714</rules_id><timeout>600</timeout></active-response>
            """);
        // An interpreter that does not exist: the program cannot be started (a failure).
        _home.WriteProgram("broken", "#!/nonexistent/interpreter");
        // Never answers check_keys: killed when the control line does not come (a kill).
        _home.WriteProgram("hang", "#!/bin/sh\nsleep 30");
        File.WriteAllText(Path.Combine(_home.Path, "etc", "riposte.json"), """
            {
              "safety": { "never_block_self": false, "allowlist": ["198.51.100.0/24"] },
              "execution": { "control_line_timeout": "1s", "run_timeout": "5s" },
              "defaults": { "max_new_per_minute": 3 }
            }
            """);

        await using var daemon = DaemonProcess.Start("--home", _home.Path, "--alerts", _home.Alerts);
        await TestHome.WaitForAsync(() => daemon.Log.Contains("Following", StringComparison.Ordinal), "the tail to open" + daemon.Log);
        _home.AppendAlert("192.0.2.1", "1.1");
        await WaitForEventAsync("add", 1, daemon);
        _home.AppendAlert("192.0.2.1", "1.2");
        await WaitForEventAsync("abort", 1, daemon);
        for (var i = 2; i <= 5; i++)
        {
            _home.AppendAlert($"192.0.2.{i}", $"1.{i + 1}");
        }

        _home.AppendAlert("198.51.100.7", "1.7");
        AppendAlert(_home, "5713", "203.0.113.8", "1.8");
        AppendAlert(_home, "5714", "203.0.113.9", "1.9");
        await WaitForEventAsync("kill", 1, daemon);
        await WaitForEventAsync("failure", 1, daemon);
        await WaitForEventAsync("skip", 3, daemon);
        // Every applied firewall-drop2 is reverted two seconds later.
        await WaitForEventAsync("delete", 2, daemon, 30_000);
        daemon.Signal("TERM");
        (await daemon.WaitForExitAsync()).ShouldBe(0, daemon.Log);

        Audit = await ReadAuditAsync(_home);
        Lines = File.ReadAllLines(EventsFileWriter.PathIn(_home.Path));
        Parsed = [.. Lines.Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    internal static void AppendAlert(TestHome home, string rule, string srcip, string id) =>
        File.AppendAllText(home.Alerts, $$$"""{"rule":{"level":10,"id":"{{{rule}}}","groups":["sshd"]},"agent":{"id":"001","name":"web"},"id":"{{{id}}}","data":{"srcip":"{{{srcip}}}"}}""" + "\n");

    internal static async Task<IReadOnlyList<AuditRecord>> ReadAuditAsync(TestHome home)
    {
        await using var store = await SqliteStateStore.OpenReadOnlyAsync(Path.Combine(home.Path, "riposte", "state.db"), TimeProvider.System,
            TestContext.Current.CancellationToken);
        var newestFirst = await store.QueryAuditAsync(new AuditQuery(Limit: 100_000), TestContext.Current.CancellationToken);
        return [.. newestFirst.OrderBy(r => r.Id)];
    }

    private async Task WaitForEventAsync(string auditEvent, int count, DaemonProcess daemon, int timeoutMs = 20_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while ((await ReadAuditAsync(_home)).Count(r => r.Event == auditEvent) < count)
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"timed out waiting for {count} '{auditEvent}' audit rows; daemon log:\n{daemon.Log}");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    public ValueTask DisposeAsync()
    {
        _home.Dispose();
        return ValueTask.CompletedTask;
    }
}
