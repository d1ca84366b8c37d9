using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Riposte.Events;
using Riposte.State;

namespace Riposte.Telemetry;

/// <summary>
/// Riposte's metrics: one <see cref="Meter"/> named <see cref="MeterName"/> and its instruments, recorded where things
/// happen. Instrument names are already the exported Prometheus names (snake_case, <c>riposte_</c> prefix, <c>_total</c>
/// and <c>_seconds</c> suffixes), so every exporter and the Grafana dashboard use one vocabulary: <see cref="Catalog"/>.
/// </summary>
/// <remarks>
/// Static on purpose: the engine, the inputs, the backends and the fleet record without being handed a dependency, and an
/// instrument nobody listens to costs one branch per call. Observable gauges only run their callbacks at scrape time.
/// </remarks>
public static class RiposteMetrics
{
    /// <summary>The meter's name, for listeners and exporters.</summary>
    public const string MeterName = "Riposte";

    /// <summary>The label of a response (its <c>&lt;active-response&gt;</c> command name) when there is none to give.</summary>
    public const string NoResponse = "none";

    // Declared before the instruments: static fields initialise in order, and each instrument takes its help from here.
    /// <summary>Every instrument Riposte exports: name, Prometheus type, labels and meaning (the exporters and the docs use it).</summary>
    public static IReadOnlyList<MetricDescriptor> Catalog { get; } =
    [
        new(Names.Responses, MetricKind.Counter, ["response", "outcome"],
            "Responses by active-response name and outcome (the events vocabulary: add, continue, abort, delete, revoke, trigger, failure, kill, refused, rate-limited, skip, dry-run, lapsed, expired)."),
        new(Names.ProgramDuration, MetricKind.Histogram, ["response", "action"], "How long response programs ran, by response and action (add or delete)."),
        new(Names.ActiveEntries, MetricKind.Gauge, [], "Active stateful responses waiting for their delete (the timeout list)."),
        new(Names.ExecSlotsBusy, MetricKind.Gauge, [], "Program runs holding one of the engine's parallel slots."),
        new(Names.ExecWaiting, MetricKind.Gauge, [], "Runs waiting for a free slot (the exec queue's backlog inside Riposte)."),
        new(Names.ReconcileRepairs, MetricKind.Counter, ["kind"], "Firewall set elements reconciliation repaired: added (missing blocks) or removed (stale elements)."),
        new(Names.AlertsRead, MetricKind.Counter, [], "Alert lines read from alerts.json or stdin (well-formed or not)."),
        new(Names.AlertsMalformed, MetricKind.Counter, [], "Alert lines that were not valid alerts (bad JSON, oversized) and were skipped."),
        new(Names.TailLag, MetricKind.Gauge, ["path"], "Bytes of the followed alerts file not read yet (its size minus the reader's position)."),
        new(Names.FleetDeliveryLag, MetricKind.Gauge, ["agent"], "Fleet manager: seconds between an agent recording its newest outcome and the manager receiving it."),
        new(Names.NotificationsSent, MetricKind.Counter, ["channel"], "Notifications delivered, by channel."),
        new(Names.NotificationsFailed, MetricKind.Counter, ["channel"], "Notifications that could not be delivered, by channel."),
        new(Names.NotificationsQueued, MetricKind.Gauge, ["channel"], "Notifications waiting to be sent, by channel."),
    ];

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Responses = Meter.CreateCounter<long>(Names.Responses, description: Help(Names.Responses));
    private static readonly Histogram<double> ProgramDuration = Meter.CreateHistogram<double>(Names.ProgramDuration, "s", Help(Names.ProgramDuration));
    private static readonly Counter<long> ReconcileRepairs = Meter.CreateCounter<long>(Names.ReconcileRepairs, description: Help(Names.ReconcileRepairs));
    private static readonly Counter<long> AlertsRead = Meter.CreateCounter<long>(Names.AlertsRead, description: Help(Names.AlertsRead));
    private static readonly Counter<long> AlertsMalformed = Meter.CreateCounter<long>(Names.AlertsMalformed, description: Help(Names.AlertsMalformed));
    private static readonly Counter<long> NotificationsSent = Meter.CreateCounter<long>(Names.NotificationsSent, description: Help(Names.NotificationsSent));
    private static readonly Counter<long> NotificationsFailed = Meter.CreateCounter<long>(Names.NotificationsFailed, description: Help(Names.NotificationsFailed));
    private static readonly UpDownCounter<long> NotificationsQueued = Meter.CreateUpDownCounter<long>(Names.NotificationsQueued, description: Help(Names.NotificationsQueued));

    private static readonly Sources<EngineGauges> Engines = new();
    private static readonly Sources<TailGauge> Tails = new();

    // Agent -> the newest outcome's delivery lag; agents come from the registry, so the label set stays bounded.
    private static readonly ConcurrentDictionary<string, double> FleetLag = new(StringComparer.Ordinal);

    static RiposteMetrics()
    {
        Meter.CreateObservableGauge(Names.ActiveEntries, () => Engines.Observe(e => e.Active()), description: Help(Names.ActiveEntries));
        Meter.CreateObservableGauge(Names.ExecSlotsBusy, () => Engines.Observe(e => e.Busy()), description: Help(Names.ExecSlotsBusy));
        Meter.CreateObservableGauge(Names.ExecWaiting, () => Engines.Observe(e => e.Waiting()), description: Help(Names.ExecWaiting));
        Meter.CreateObservableGauge(Names.TailLag, ObserveTails, "By", Help(Names.TailLag));
        Meter.CreateObservableGauge(Names.FleetDeliveryLag, ObserveFleetLag, "s", Help(Names.FleetDeliveryLag));
    }

    /// <summary>The histogram's bucket bounds in seconds: programs take milliseconds, a hung one is killed at its limit (60 s by default).</summary>
    public static IReadOnlyList<double> DurationBuckets { get; } = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>The exported names.</summary>
    public static class Names
    {
        /// <summary>Counter: responses by response and outcome.</summary>
        public const string Responses = "riposte_responses_total";

        /// <summary>Histogram: program run time by response and action.</summary>
        public const string ProgramDuration = "riposte_program_duration_seconds";

        /// <summary>Gauge: the timeout list's size.</summary>
        public const string ActiveEntries = "riposte_active_entries";

        /// <summary>Gauge: slots in use.</summary>
        public const string ExecSlotsBusy = "riposte_exec_slots_busy";

        /// <summary>Gauge: runs waiting for a slot.</summary>
        public const string ExecWaiting = "riposte_exec_waiting";

        /// <summary>Counter: reconciliation repairs by kind.</summary>
        public const string ReconcileRepairs = "riposte_reconcile_repairs_total";

        /// <summary>Counter: alert lines read.</summary>
        public const string AlertsRead = "riposte_alerts_read_total";

        /// <summary>Counter: malformed alert lines.</summary>
        public const string AlertsMalformed = "riposte_alerts_malformed_total";

        /// <summary>Gauge: bytes behind the end of the followed alerts file.</summary>
        public const string TailLag = "riposte_tail_lag_bytes";

        /// <summary>Gauge: per-agent outcome delivery lag.</summary>
        public const string FleetDeliveryLag = "riposte_fleet_delivery_lag_seconds";

        /// <summary>Counter: notifications sent by channel.</summary>
        public const string NotificationsSent = "riposte_notifications_sent_total";

        /// <summary>Counter: notifications failed by channel.</summary>
        public const string NotificationsFailed = "riposte_notifications_failed_total";

        /// <summary>Gauge: notifications queued by channel.</summary>
        public const string NotificationsQueued = "riposte_notifications_queued";
    }

    // ---- Notifications (recorded by the notifier) ------------------------------------------------------------------

    /// <summary>A notification went out on <paramref name="channel"/> (a notification target's name or kind).</summary>
    public static void NotificationSent(string channel) => NotificationsSent.Add(1, new KeyValuePair<string, object?>("channel", channel));

    /// <summary>A notification on <paramref name="channel"/> could not be delivered (after its retries).</summary>
    public static void NotificationFailed(string channel) => NotificationsFailed.Add(1, new KeyValuePair<string, object?>("channel", channel));

    /// <summary>A notification joined <paramref name="channel"/>'s queue; pair with <see cref="NotificationDequeued"/>.</summary>
    public static void NotificationEnqueued(string channel) => NotificationsQueued.Add(1, new KeyValuePair<string, object?>("channel", channel));

    /// <summary><paramref name="channel"/>'s queue grew (positive) or shrank (negative) by <paramref name="delta"/> events.</summary>
    public static void NotificationQueueChanged(string channel, int delta)
    {
        if (delta != 0)
        {
            NotificationsQueued.Add(delta, new KeyValuePair<string, object?>("channel", channel));
        }
    }

    /// <summary>A notification left <paramref name="channel"/>'s queue (sent, failed or dropped).</summary>
    public static void NotificationDequeued(string channel) => NotificationsQueued.Add(-1, new KeyValuePair<string, object?>("channel", channel));

    // ---- Recording points inside Riposte ---------------------------------------------------------------------------

    /// <summary>
    /// An audit row was written: every decision and outcome goes through the trail, so it is the one place responses are
    /// counted. The outcome is the events' vocabulary (a skip told apart into refused and rate-limited).
    /// </summary>
    internal static void ResponseRecorded(AuditRecord record)
    {
        if (!Responses.Enabled || record.Event == "reconcile")
        {
            // Reconciliation rows are not responses; they are counted as repairs.
            return;
        }

        // Only a command that resolved to a program carries a configured name: an unknown one is text from the request,
        // and a label made from it would let any sender grow the series without bound.
        var response = record.Program.Length > 0 && record.ArName is { Length: > 0 } name ? name : NoResponse;
        Responses.Add(1, new KeyValuePair<string, object?>("response", response),
            new KeyValuePair<string, object?>("outcome", ResponseEventMapper.KindOf(record.Event, record.Detail)));
    }

    /// <summary>A response program's add or delete ran (in a process or in-process on the fast path) for <paramref name="elapsed"/>.</summary>
    internal static void ProgramRan(string? response, string action, TimeSpan elapsed)
    {
        if (ProgramDuration.Enabled)
        {
            ProgramDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("response", response is { Length: > 0 } ? response : NoResponse),
                new KeyValuePair<string, object?>("action", action));
        }
    }

    /// <summary>Reconciliation put back <paramref name="added"/> missing elements and removed <paramref name="removed"/> stale ones.</summary>
    internal static void Reconciled(int added, int removed)
    {
        if (added > 0)
        {
            ReconcileRepairs.Add(added, new KeyValuePair<string, object?>("kind", "added"));
        }

        if (removed > 0)
        {
            ReconcileRepairs.Add(removed, new KeyValuePair<string, object?>("kind", "removed"));
        }
    }

    /// <summary>An alert line was read; <paramref name="malformed"/> when it is not an alert.</summary>
    internal static void AlertLineRead(bool malformed)
    {
        AlertsRead.Add(1);
        if (malformed)
        {
            AlertsMalformed.Add(1);
        }
    }

    /// <summary>An agent's outcome, recorded by it at <paramref name="recordedAtMs"/>, reached the manager at <paramref name="receivedAtMs"/> (Unix ms).</summary>
    internal static void FleetOutcomeReceived(string agent, long recordedAtMs, long receivedAtMs) =>
        // Clocks differ between hosts: a negative lag is skew, not a message from the future.
        FleetLag[agent] = Math.Max(0, receivedAtMs - recordedAtMs) / 1000.0;

    /// <summary>Reports an engine's gauges until disposed.</summary>
    internal static IDisposable ObserveEngine(Func<long?> active, Func<long?> busy, Func<long?> waiting) =>
        Engines.Add(new EngineGauges(active, busy, waiting));

    /// <summary>Reports a followed file's lag until disposed; <paramref name="lag"/> returns null when it cannot tell (rotating).</summary>
    internal static IDisposable ObserveTail(string path, Func<long?> lag) => Tails.Add(new TailGauge(path, lag));

    private static string Help(string name) => Catalog.First(d => d.Name == name).Help;

    private static IEnumerable<Measurement<long>> ObserveTails()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var tail in Tails.Snapshot())
        {
            if (tail.Lag() is { } lag)
            {
                measurements.Add(new Measurement<long>(lag, new KeyValuePair<string, object?>("path", tail.Path)));
            }
        }

        return measurements;
    }

    private static IEnumerable<Measurement<double>> ObserveFleetLag() =>
        [.. FleetLag.Select(p => new Measurement<double>(p.Value, new KeyValuePair<string, object?>("agent", p.Key)))];

    private sealed record EngineGauges(Func<long?> Active, Func<long?> Busy, Func<long?> Waiting);

    private sealed record TailGauge(string Path, Func<long?> Lag);

    /// <summary>Live sources of observable gauges: one per engine or tailer (a daemon has one of each).</summary>
    private sealed class Sources<T>
        where T : class
    {
        private readonly Lock _lock = new();
        private readonly List<T> _items = [];

        public IDisposable Add(T item)
        {
            lock (_lock)
            {
                _items.Add(item);
            }

            return new Removal(this, item);
        }

        public T[] Snapshot()
        {
            lock (_lock)
            {
                return [.. _items];
            }
        }

        /// <summary>One measurement per source that can tell (a daemon runs one engine; tests tell theirs apart by value).</summary>
        public List<Measurement<long>> Observe(Func<T, long?> read)
        {
            var measurements = new List<Measurement<long>>();
            foreach (var source in Snapshot())
            {
                if (read(source) is { } value)
                {
                    measurements.Add(new Measurement<long>(value));
                }
            }

            return measurements;
        }

        private void Remove(T item)
        {
            lock (_lock)
            {
                _items.Remove(item);
            }
        }

        private sealed class Removal(Sources<T> sources, T item) : IDisposable
        {
            private int _done;

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _done, 1) == 0)
                {
                    sources.Remove(item);
                }
            }
        }
    }
}

/// <summary>How an instrument is exported to Prometheus.</summary>
public enum MetricKind
{
    /// <summary>A monotonic counter (<c>_total</c>).</summary>
    Counter,

    /// <summary>A value that goes up and down.</summary>
    Gauge,

    /// <summary>A histogram (<c>_bucket</c>, <c>_sum</c>, <c>_count</c> series).</summary>
    Histogram,
}

/// <summary>One exported metric.</summary>
/// <param name="Name">The Prometheus name, also the instrument's name.</param>
/// <param name="Kind">Its Prometheus type.</param>
/// <param name="Labels">Its label names, in export order.</param>
/// <param name="Help">What it measures (the exposition's HELP line).</param>
public sealed record MetricDescriptor(string Name, MetricKind Kind, IReadOnlyList<string> Labels, string Help);
