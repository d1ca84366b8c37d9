using Riposte.Events;

namespace Riposte.Fleet.View;

/// <summary>
/// The fleet's history on a manager as an <see cref="IResponseEventSource"/>: each agent's outcomes, attributed to the
/// agent, and the manager's own fleet events (expired, undeliverable, sent to remoted).
/// </summary>
/// <param name="store">The manager's fleet store.</param>
public sealed class FleetEventSource(FleetStore store) : IResponseEventSource
{
    private readonly FleetStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc />
    public string Name => "fleet";

    /// <inheritdoc />
    public event Action? Appended
    {
        add => _store.HistoryAppended += value;
        remove => _store.HistoryAppended -= value;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ResponseEvent>> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken)
    {
        var rows = await _store.ReadHistoryAfterAsync(afterId, limit, cancellationToken).ConfigureAwait(false);
        var events = new ResponseEvent[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            events[i] = ToEvent(rows[i]);
        }

        return events;
    }

    /// <inheritdoc />
    public ValueTask<long> LatestIdAsync(CancellationToken cancellationToken) => _store.LatestHistoryIdAsync(cancellationToken);

    /// <summary>The event a history row describes, on its agent.</summary>
    public static ResponseEvent ToEvent(FleetHistoryRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var kind = ResponseEventMapper.KindOf(row.Event, row.Detail);
        return new ResponseEvent(row.Id, row.At, kind, ResponseEventKinds.SeverityOf(kind).ToString().ToLowerInvariant(), row.Agent, row.ArName, row.RKey,
            row.Keys, string.IsNullOrEmpty(row.Program) ? null : row.Program, row.AlertId, row.RuleId, row.RuleLevel, row.ExitCode, row.DurationMs, row.Detail, row.Source);
    }
}
