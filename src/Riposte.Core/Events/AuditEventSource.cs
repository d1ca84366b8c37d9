using Riposte.State;

namespace Riposte.Events;

/// <summary>This host's audit trail as an <see cref="IResponseEventSource"/>.</summary>
/// <param name="store">The state store.</param>
/// <param name="agent">The agent the events are attributed to; null for this host.</param>
public sealed class AuditEventSource(SqliteStateStore store, string? agent = null) : IResponseEventSource
{
    private readonly SqliteStateStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc />
    public string Name => "local";

    /// <inheritdoc />
    public event Action? Appended
    {
        add => _store.AuditAppended += value;
        remove => _store.AuditAppended -= value;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ResponseEvent>> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken)
    {
        var rows = await _store.ReadAuditAfterAsync(afterId, limit, cancellationToken).ConfigureAwait(false);
        var events = new ResponseEvent[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            events[i] = ResponseEventMapper.FromAudit(rows[i], agent);
        }

        return events;
    }

    /// <inheritdoc />
    public ValueTask<long> LatestIdAsync(CancellationToken cancellationToken) => _store.LatestAuditIdAsync(cancellationToken);
}
