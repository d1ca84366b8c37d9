using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Riposte.Telemetry;

/// <summary>Listens to the Riposte meter like an exporter would, keeping every measurement with its tags.</summary>
internal sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measured> _measured = new();
    private readonly ConcurrentQueue<Measured> _observed = new();

    public MetricsRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RiposteMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of the measurements of <paramref name="name"/> carrying every given tag.</summary>
    public double Sum(string name, params (string Key, string Value)[] tags) => Matching(name, tags).Sum(m => m.Value);

    /// <summary>How many measurements of <paramref name="name"/> carry every given tag.</summary>
    public int Count(string name, params (string Key, string Value)[] tags) => Matching(name, tags).Count();

    /// <summary>The current values of observable gauge <paramref name="name"/> (one per live source) carrying every given tag.</summary>
    public List<double> Observe(string name, params (string Key, string Value)[] tags)
    {
        _observed.Clear();
        _listener.RecordObservableInstruments();
        return [.. _observed.Where(m => m.Name == name && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value)).Select(m => m.Value)];
    }

    public void Dispose() => _listener.Dispose();

    private IEnumerable<Measured> Matching(string name, (string Key, string Value)[] tags) =>
        _measured.Where(m => m.Name == name && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value));

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString();
        }

        (instrument.IsObservable ? _observed : _measured).Enqueue(new Measured(instrument.Name, value, copy));
    }

    private sealed record Measured(string Name, double Value, Dictionary<string, string?> Tags);
}
