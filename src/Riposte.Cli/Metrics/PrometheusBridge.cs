using System.Diagnostics.Metrics;
using Prometheus;
using Riposte.Telemetry;

namespace Riposte.Cli.Metrics;

/// <summary>
/// Feeds the <c>Riposte</c> meter into prometheus-net collectors, which write the text exposition.
/// </summary>
/// <remarks>
/// Not prometheus-net's own <c>MeterAdapter</c>: it exports every counter as a gauge, lets series expire after minutes
/// without a change (a quiet counter would vanish from the scrape), and drops an up-down counter's labels. Here each
/// instrument of <see cref="RiposteMetrics.Catalog"/> becomes a collector of its declared type and labels, created up
/// front, so the exposition is the catalog and nothing else.
/// </remarks>
internal sealed class PrometheusBridge : IDisposable
{
    private static readonly Lock SharedLock = new();
    private static PrometheusBridge? s_shared;

    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, Export> _exports = new(StringComparer.Ordinal);
    private readonly Lock _observeLock = new();
    private volatile bool _disposed;

    public PrometheusBridge()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        foreach (var metric in RiposteMetrics.Catalog)
        {
            var labels = metric.Labels.ToArray();
            Collector collector = metric.Kind switch
            {
                MetricKind.Counter => factory.CreateCounter(metric.Name, metric.Help, labels),
                MetricKind.Gauge => factory.CreateGauge(metric.Name, metric.Help, labels),
                _ => factory.CreateHistogram(metric.Name, metric.Help, labels, new HistogramConfiguration { Buckets = [.. RiposteMetrics.DurationBuckets] }),
            };
            _exports.Add(metric.Name, new Export(metric, collector));
        }

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RiposteMetrics.MeterName && _exports.TryGetValue(instrument.Name, out var export))
            {
                export.Observable = instrument.IsObservable;
                listener.EnableMeasurementEvents(instrument, export);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => ((Export)state!).Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => ((Export)state!).Record(instrument, value, tags));
        _listener.Start();
        Registry.AddBeforeCollectCallback(ObserveGauges);
    }

    /// <summary>The registry the exposition is written from.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>
    /// The process's bridge, listening from the first call on: counts from before it are not seen, so the daemon starts
    /// it with its metrics endpoint (or the API mapping it), before inputs run.
    /// </summary>
    public static PrometheusBridge Shared
    {
        get
        {
            lock (SharedLock)
            {
                return s_shared ??= new PrometheusBridge();
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _listener.Dispose();
    }

    /// <summary>
    /// Before each scrape: asks every observable gauge for its current values. A labelled series no source reports any
    /// more (a tailer that stopped) is removed, and an unlabelled gauge nobody reports reads 0, so nothing stale stays.
    /// </summary>
    private void ObserveGauges()
    {
        if (_disposed)
        {
            return;
        }

        lock (_observeLock)
        {
            foreach (var export in _exports.Values)
            {
                export.BeginRound();
            }

            _listener.RecordObservableInstruments();
            foreach (var export in _exports.Values)
            {
                export.EndRound();
            }
        }
    }

    private sealed class Export(MetricDescriptor metric, Collector collector)
    {
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private bool _inRound;

        public MetricDescriptor Metric { get; } = metric;

        public Collector Collector { get; } = collector;

        /// <summary>Set when the instrument is published; observable gauges are asked at each scrape.</summary>
        public bool Observable { get; set; }

        public void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = LabelValues(tags);
            switch (Collector)
            {
                case Counter counter:
                    (labels.Length == 0 ? (ICounter)counter : counter.WithLabels(labels)).Inc(value);
                    break;
                case Histogram histogram:
                    (labels.Length == 0 ? (IHistogram)histogram : histogram.WithLabels(labels)).Observe(value);
                    break;
                case Gauge gauge when instrument.IsObservable:
                    (labels.Length == 0 ? (IGauge)gauge : gauge.WithLabels(labels)).Set(value);
                    if (_inRound)
                    {
                        _seen.Add(string.Join('\0', labels));
                    }

                    break;
                case Gauge gauge:
                    // An up-down counter: each measurement is a change.
                    (labels.Length == 0 ? (IGauge)gauge : gauge.WithLabels(labels)).Inc(value);
                    break;
            }
        }

        public void BeginRound()
        {
            _seen.Clear();
            _inRound = Observable;
        }

        public void EndRound()
        {
            if (!_inRound || Collector is not Gauge gauge)
            {
                return;
            }

            _inRound = false;
            if (Metric.Labels.Count == 0)
            {
                if (_seen.Count == 0)
                {
                    gauge.Set(0);
                }

                return;
            }

            foreach (var values in gauge.GetAllLabelValues().ToList())
            {
                if (!_seen.Contains(string.Join('\0', values)))
                {
                    gauge.RemoveLabelled(values);
                }
            }
        }

        /// <summary>The tags' values in the declared label order; a missing tag is an empty value, an undeclared one is dropped.</summary>
        private string[] LabelValues(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var names = Metric.Labels;
            if (names.Count == 0)
            {
                return [];
            }

            var values = new string[names.Count];
            for (var i = 0; i < names.Count; i++)
            {
                values[i] = "";
                foreach (var tag in tags)
                {
                    if (tag.Key == names[i])
                    {
                        values[i] = tag.Value?.ToString() ?? "";
                        break;
                    }
                }
            }

            return values;
        }
    }
}
