using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Riposte.Fleet.Transport;

/// <summary>The limits the manager gives the fleet's streams and consumers.</summary>
/// <param name="CommandTtl">How long a command waits for its agent (the command stream's max age).</param>
/// <param name="OutcomeRetention">How long outcomes wait for managers.</param>
/// <param name="Replicas">Stream replicas (3 on a 3-node cluster).</param>
/// <param name="AckWait">How long NATS waits for an agent's ack before delivering again.</param>
public sealed record FleetStreamOptions(TimeSpan CommandTtl, TimeSpan OutcomeRetention, int Replicas, TimeSpan AckWait);

/// <summary>Creates or updates the fleet's streams and consumers; only managers do this (agents may not).</summary>
public static class FleetStreams
{
    /// <summary>Both streams, created or brought to <paramref name="options"/>.</summary>
    public static async Task EnsureAsync(INatsJSContext js, FleetStreamOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(js);
        ArgumentNullException.ThrowIfNull(options);
        await ConvergeAsync(() => CreateOrBringToAsync(js, new StreamConfig(FleetNames.CommandStream, [FleetNames.CommandPrefix + "*"])
        {
            // Work queue: an acked command is gone, so the stream only ever holds what agents still owe.
            Retention = StreamConfigRetention.Workqueue,
            Storage = StreamConfigStorage.File,
            MaxAge = options.CommandTtl,
            // The window must not exceed max age; within it, a re-published command id is dropped by the server, and
            // past it the agent's own decision table still applies it once.
            DuplicateWindow = options.CommandTtl < TimeSpan.FromHours(2) ? options.CommandTtl : TimeSpan.FromHours(2),
            NumReplicas = options.Replicas,
            Discard = StreamConfigDiscard.Old,
        }, cancellationToken), cancellationToken).ConfigureAwait(false);

        await ConvergeAsync(() => CreateOrBringToAsync(js, new StreamConfig(FleetNames.OutcomeStream, [FleetNames.OutcomePrefix + "*"])
        {
            Retention = StreamConfigRetention.Limits,
            Storage = StreamConfigStorage.File,
            MaxAge = options.OutcomeRetention,
            DuplicateWindow = TimeSpan.FromMinutes(10),
            NumReplicas = options.Replicas,
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The durable consumer that delivers <paramref name="agentId"/>'s commands.</summary>
    public static async Task EnsureAgentConsumerAsync(INatsJSContext js, string agentId, FleetStreamOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(js);
        ArgumentNullException.ThrowIfNull(options);
        if (!FleetNames.IsAgentId(agentId))
        {
            throw new ArgumentException($"'{agentId}' is not an agent id", nameof(agentId));
        }

        var name = FleetNames.AgentConsumer(agentId);
        await ConvergeAsync(() => js.CreateOrUpdateConsumerAsync(FleetNames.CommandStream, new ConsumerConfig(name)
        {
            DurableName = name,
            FilterSubject = FleetNames.CommandSubject(agentId),
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
            AckWait = options.AckWait,
            // Never give up on a command: it leaves the stream when acked or when its time-to-live is over.
            MaxDeliver = -1,
            MaxAckPending = 256,
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The durable consumer a manager node reads outcomes with.</summary>
    public static async Task<INatsJSConsumer> EnsureManagerConsumerAsync(INatsJSContext js, string node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(js);
        var name = FleetNames.ManagerConsumer(node);
        return await ConvergeAsync(() => js.CreateOrUpdateConsumerAsync(FleetNames.OutcomeStream, new ConsumerConfig(name)
        {
            DurableName = name,
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
            AckWait = TimeSpan.FromSeconds(30),
            MaxDeliver = -1,
            MaxAckPending = 1024,
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the stream, or updates it only when it exists with other settings. Create comes first, not update (as
    /// NATS.Net's CreateOrUpdateStreamAsync does), because nats-server 2.9.10 (Debian's) registers a new stream before
    /// it opens its store and dies with a nil dereference (stream.go:1602) on an update that arrives in between: two
    /// managers starting together on a fresh server crashed it that way. A create with the settings the stream
    /// already has succeeds without changing it, so managers that agree never send an update at all.
    /// </summary>
    private static async ValueTask<INatsJSStream> CreateOrBringToAsync(INatsJSContext js, StreamConfig config, CancellationToken cancellationToken)
    {
        try
        {
            return await js.CreateStreamAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == StreamNameInUseWithOtherSettings)
        {
            return await js.UpdateStreamAsync(config, cancellationToken).ConfigureAwait(false);
        }
    }

    private const int StreamNameInUseWithOtherSettings = 10058;

    /// <summary>
    /// Runs a create-or-update that another manager may be running at the same moment: a create can lose to the
    /// other's create or update (different settings, a consumer being made), and trying again finds what won and
    /// brings it to these settings; an error that persists is thrown after a few tries.
    /// </summary>
    private static async Task<T> ConvergeAsync<T>(Func<ValueTask<T>> createOrUpdate, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await createOrUpdate().ConfigureAwait(false);
            }
            catch (NatsJSException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 << attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
