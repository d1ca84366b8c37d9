using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using Riposte.Fleet.Messages;
using Riposte.State;
using Riposte.Telemetry;

namespace Riposte.Fleet.View;

/// <summary>The manager's fleet view feeds <c>riposte_fleet_delivery_lag_seconds</c> from the outcomes it records.</summary>
public sealed class FleetDeliveryLagMetricTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Directory.CreateTempSubdirectory("riposte-fleet-lag-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Each_new_outcome_sets_its_agents_lag_and_a_redelivery_does_not()
    {
        // Agent names no other test uses: the gauge is process-wide.
        var agent = "lag-" + Guid.NewGuid().ToString("N");
        var time = new FakeTimeProvider(Start);
        await using var store = await FleetStore.OpenAsync(Path.Combine(_dir, "fleet.db"), time, TestContext.Current.CancellationToken);
        var recorded = Start.AddSeconds(-3).ToUnixTimeMilliseconds();
        var outcome = new AgentOutcome(agent, "inst-1", 1, recorded, AuditEvents.Add, "firewall-drop-203.0.113.5", "active-response/bin/firewall-drop",
            "firewall-drop600", "1.1", ["203.0.113.5"], 0, 12, null, "alerts.json");

        (await store.RecordOutcomeAsync(outcome, TestContext.Current.CancellationToken)).ShouldBeTrue();
        LagOf(agent).ShouldBe([3.0]);

        time.Advance(TimeSpan.FromMinutes(1));
        (await store.RecordOutcomeAsync(outcome, TestContext.Current.CancellationToken)).ShouldBeFalse();
        LagOf(agent).ShouldBe([3.0], "a redelivery is not a new delivery");

        (await store.RecordOutcomeAsync(outcome with { Seq = 2, At = time.GetUtcNow().AddMilliseconds(-250).ToUnixTimeMilliseconds() },
            TestContext.Current.CancellationToken)).ShouldBeTrue();
        LagOf(agent).ShouldBe([0.25]);
    }

    private static List<double> LagOf(string agent)
    {
        var values = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RiposteMetrics.MeterName && instrument.Name == RiposteMetrics.Names.FleetDeliveryLag)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "agent" && (string?)tag.Value == agent)
                {
                    values.Add(value);
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}
