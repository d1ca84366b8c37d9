namespace Riposte.Events;

/// <summary>
/// A durable, ordered log of <see cref="ResponseEvent"/>s a <see cref="ResponseEventFeed"/> reads: this host's audit
/// trail, or on a fleet manager the fleet's history (the agents' outcomes). Ids increase and are never reused.
/// </summary>
public interface IResponseEventSource
{
    /// <summary>A short name for the log, used in consumers' checkpoint names: <c>local</c> or <c>fleet</c>.</summary>
    string Name { get; }

    /// <summary>Up to <paramref name="limit"/> events with an id above <paramref name="afterId"/>, oldest first.</summary>
    ValueTask<IReadOnlyList<ResponseEvent>> ReadAfterAsync(long afterId, int limit, CancellationToken cancellationToken);

    /// <summary>The newest event's id, 0 when there is none.</summary>
    ValueTask<long> LatestIdAsync(CancellationToken cancellationToken);

    /// <summary>Raised after a commit that may have added events (quick, never throws); readers look then instead of waiting for their poll.</summary>
    event Action? Appended;
}
