using System.Net;
using Riposte.Alerts;
using Riposte.Backends;
using Riposte.Config.Settings;
using Riposte.Engine;
using Riposte.Inputs;
using Riposte.Safety;
using static Riposte.Telemetry.RiposteMetrics.Names;

namespace Riposte.Telemetry;

/// <summary>Alone: the unlabelled counters and the engine gauges are process-wide, so no other test may run an engine meanwhile.</summary>
[CollectionDefinition(nameof(MetricsCollection), DisableParallelization = true)]
public sealed class MetricsCollection;

[Collection(nameof(MetricsCollection))]
public sealed class RiposteMetricsTests
{
    // A program name no other test uses: its response label picks this test's measurements out.
    private const string Program = "metrics-probe";
    private const string Response = "metrics-probe600";

    [Fact]
    public async Task A_real_engine_run_records_each_outcome_the_durations_and_the_gauges()
    {
        using var metrics = new MetricsRecorder();
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(Program), o => o with
        {
            Policies = _ => new ResponsePolicy { MaxNewPerMinute = 1 },
            Protected = new ProtectedAddresses(true, [IPNetwork.Parse("10.0.0.0/8")], TimeProvider.System, () => []),
        });
        h.WriteProgram(Program, EngineHarness.RecordingProgram);

        (await h.ExecAsync(EngineHarness.Body(Response, "198.51.100.1", "1.1"))).Result.ShouldBe(ExecResult.Continued);
        (await h.ExecAsync(EngineHarness.Body(Response, "198.51.100.1", "1.2"))).Result.ShouldBe(ExecResult.Aborted);
        (await h.ExecAsync(EngineHarness.Body(Response, "10.1.2.3", "1.3"))).Result.ShouldBe(ExecResult.Refused);
        (await h.ExecAsync(EngineHarness.Body(Response, "198.51.100.2", "1.4"))).Result.ShouldBe(ExecResult.RateLimited);

        metrics.Sum(Responses, ("response", Response), ("outcome", "continue")).ShouldBe(1);
        metrics.Sum(Responses, ("response", Response), ("outcome", "add")).ShouldBe(1);
        metrics.Sum(Responses, ("response", Response), ("outcome", "abort")).ShouldBe(1);
        metrics.Sum(Responses, ("response", Response), ("outcome", "refused")).ShouldBe(1);
        metrics.Sum(Responses, ("response", Response), ("outcome", "rate-limited")).ShouldBe(1);
        metrics.Sum(Responses, ("response", Response)).ShouldBe(5);
        // Three program runs: the add, the aborted one and the rate-limited one (told to abort); the refusal ran nothing.
        metrics.Count(ProgramDuration, ("response", Response), ("action", "add")).ShouldBe(3);
        metrics.Sum(ProgramDuration, ("response", Response), ("action", "add")).ShouldBeInRange(0.0001, 10);
        metrics.Observe(ActiveEntries).ShouldContain(1);
        metrics.Observe(ExecSlotsBusy).ShouldContain(0);
        metrics.Observe(ExecWaiting).ShouldContain(0);

        await h.AdvanceAsync(TimeSpan.FromSeconds(601), () => metrics.Sum(Responses, ("response", Response), ("outcome", "delete")) == 1);
        metrics.Count(ProgramDuration, ("response", Response), ("action", "delete")).ShouldBe(1);
        // The row is counted as it is written, just before its transaction commits the entry's removal.
        await EngineHarness.WaitForAsync(() => metrics.Observe(ActiveEntries).Contains(0));
        metrics.Observe(ActiveEntries).ShouldNotContain(1);
    }

    [Fact]
    public async Task A_program_past_its_time_limit_counts_as_a_kill_and_one_that_cannot_start_as_a_failure()
    {
        using var metrics = new MetricsRecorder();
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(Program) + EngineHarness.Conf("metrics-broken"));
        // Never answers check_keys: killed at the control-line limit (2 s in the harness).
        h.WriteProgram(Program, "#!/bin/sh\nsleep 30\n");
        h.WriteProgram("metrics-broken", "#!/nonexistent/interpreter\n");

        (await h.ExecAsync(EngineHarness.Body(Response, "198.51.100.3"))).Result.ShouldBe(ExecResult.Failed);
        (await h.ExecAsync(EngineHarness.Body("metrics-broken600", "198.51.100.4"))).Result.ShouldBe(ExecResult.Failed);

        metrics.Sum(Responses, ("response", Response), ("outcome", "kill")).ShouldBe(1);
        metrics.Sum(Responses, ("response", "metrics-broken600"), ("outcome", "failure")).ShouldBe(1);
        metrics.Count(ProgramDuration, ("response", Response), ("action", "add")).ShouldBe(1);
        metrics.Sum(ProgramDuration, ("response", Response), ("action", "add")).ShouldBeGreaterThanOrEqualTo(1.9);
    }

    [Fact]
    public async Task With_every_slot_busy_the_gauges_show_the_busy_slot_and_the_waiting_run()
    {
        using var metrics = new MetricsRecorder();
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(Program), o => o with { MaxParallel = 1 });
        var gate = Path.Combine(h.Home, "gate");
        // The stateless response ("metrics-probe0", no timeout), slow: holds its slot until the test removes the gate file.
        h.WriteProgram(Program, $"#!/bin/sh\nwhile [ -e '{gate}' ]; do sleep 0.02; done\n");
        File.WriteAllText(gate, "");

        var first = h.ExecAsync(EngineHarness.Body("metrics-probe0", "198.51.100.6"));
        var second = h.ExecAsync(EngineHarness.Body("metrics-probe0", "198.51.100.7"));
        await EngineHarness.WaitForAsync(() => metrics.Observe(ExecWaiting).Contains(1));
        metrics.Observe(ExecSlotsBusy).ShouldContain(1);

        File.Delete(gate);
        await Task.WhenAll(first, second);
        metrics.Observe(ExecWaiting).ShouldContain(0);
        metrics.Observe(ExecSlotsBusy).ShouldContain(0);
        metrics.Count(ProgramDuration, ("response", "metrics-probe0"), ("action", "add")).ShouldBe(2);
    }

    [Fact]
    public async Task An_unknown_command_is_counted_without_its_name_as_a_label()
    {
        using var metrics = new MetricsRecorder();
        await using var h = await EngineHarness.CreateAsync(EngineHarness.Conf(Program));

        (await h.ExecAsync(EngineHarness.Body("attacker-chosen-name-" + Guid.NewGuid(), "198.51.100.5"))).Result.ShouldBe(ExecResult.Rejected);

        metrics.Sum(Responses, ("response", RiposteMetrics.NoResponse), ("outcome", "failure")).ShouldBe(1);
        metrics.Count(Responses, ("response", Response)).ShouldBe(0);
    }

    [Fact]
    public async Task The_tailer_counts_lines_and_malformed_ones_and_reports_its_lag_per_file()
    {
        using var metrics = new MetricsRecorder();
        var dir = Directory.CreateTempSubdirectory("riposte-metrics-");
        try
        {
            var path = Path.Combine(dir.FullName, "alerts.json");
            File.WriteAllText(path, """{"rule":{"id":"1"},"id":"1"}""" + "\n\n{ broken\n" + """{"rule":{"id":"2"},"id":"2"}""" + "\n");
            var tailer = new AlertFileTailer(path, TimeProvider.System, new TailerOptions { StartAtEnd = false, PollInterval = TimeSpan.FromMilliseconds(20) });
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            await using var lines = tailer.ReadAsync(null, stop.Token).GetAsyncEnumerator(stop.Token);
            for (var i = 0; i < 3; i++)
            {
                (await lines.MoveNextAsync()).ShouldBeTrue();
            }

            lines.Current.Line.Alert.ShouldNotBeNull();
            metrics.Sum(AlertsRead).ShouldBe(3, "the blank line is not a line");
            metrics.Sum(AlertsMalformed).ShouldBe(1);
            metrics.Observe(TailLag, ("path", path)).ShouldBe([0]);

            File.AppendAllText(path, "{\"rule\":");
            metrics.Observe(TailLag, ("path", path)).ShouldBe([8]);

            await stop.CancelAsync();
            await Should.ThrowAsync<OperationCanceledException>(async () => await lines.MoveNextAsync());
            metrics.Observe(TailLag, ("path", path)).ShouldBeEmpty("a tailer that stopped reports nothing");
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public async Task Reconciliation_counts_what_it_repaired_by_kind()
    {
        using var metrics = new MetricsRecorder();
        var backend = new MemoryBackend();
        await backend.EnsureReadyAsync(CancellationToken.None);
        await backend.ApplyAsync([BlockChange.Add("192.0.2.1"), BlockChange.Add("192.0.2.2")], CancellationToken.None);
        backend.Wipe();

        await new BlockReconciler(backend).ReconcileAsync(["192.0.2.1", "192.0.2.2"], CancellationToken.None);
        await new BlockReconciler(backend).ReconcileAsync(["192.0.2.1"], CancellationToken.None);
        // In sync: nothing more to count.
        await new BlockReconciler(backend).ReconcileAsync(["192.0.2.1"], CancellationToken.None);

        metrics.Sum(ReconcileRepairs, ("kind", "added")).ShouldBe(2);
        metrics.Sum(ReconcileRepairs, ("kind", "removed")).ShouldBe(1);
    }

    [Fact]
    public void Fleet_lag_is_per_agent_and_never_negative()
    {
        using var metrics = new MetricsRecorder();
        RiposteMetrics.FleetOutcomeReceived("metrics-agent-1", 1_000, 3_500);
        RiposteMetrics.FleetOutcomeReceived("metrics-agent-2", 9_000, 8_000);

        metrics.Observe(FleetDeliveryLag, ("agent", "metrics-agent-1")).ShouldBe([2.5]);
        metrics.Observe(FleetDeliveryLag, ("agent", "metrics-agent-2")).ShouldBe([0]);
    }

    [Fact]
    public void Notifications_are_counted_by_channel_and_the_queue_goes_up_and_down()
    {
        using var metrics = new MetricsRecorder();
        RiposteMetrics.NotificationEnqueued("slack");
        RiposteMetrics.NotificationEnqueued("slack");
        RiposteMetrics.NotificationDequeued("slack");
        RiposteMetrics.NotificationSent("slack");
        RiposteMetrics.NotificationFailed("webhook");

        metrics.Sum(NotificationsQueued, ("channel", "slack")).ShouldBe(1);
        metrics.Sum(NotificationsSent, ("channel", "slack")).ShouldBe(1);
        metrics.Sum(NotificationsFailed, ("channel", "webhook")).ShouldBe(1);
        metrics.Count(NotificationsFailed, ("channel", "slack")).ShouldBe(0);
    }

    [Fact]
    public void The_catalog_names_follow_the_Prometheus_conventions_and_match_the_instruments()
    {
        using var metrics = new MetricsRecorder();
        var names = RiposteMetrics.Catalog.Select(m => m.Name).ToList();
        names.ShouldBeUnique();
        foreach (var metric in RiposteMetrics.Catalog)
        {
            metric.Name.ShouldMatch("^riposte_[a-z0-9_]+$");
            (metric.Kind == MetricKind.Counter).ShouldBe(metric.Name.EndsWith("_total", StringComparison.Ordinal), metric.Name);
            metric.Labels.ShouldAllBe(l => System.Text.RegularExpressions.Regex.IsMatch(l, "^[a-z_]+$"));
            metric.Help.ShouldNotBeNullOrWhiteSpace();
        }

        typeof(RiposteMetrics.Names).GetFields().Select(f => (string)f.GetRawConstantValue()!).ShouldBe(names, ignoreOrder: true);
    }
}
