using System.Globalization;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Riposte.Fleet.Transport;

/// <summary>One command for one agent.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Kind"><see cref="FleetNames.ExecKind"/> or <see cref="FleetNames.RevokeKind"/>.</param>
/// <param name="Payload">The exec-queue body, or the key to revoke.</param>
/// <param name="Id">The command id (<c>Nats-Msg-Id</c>).</param>
/// <param name="IssuedAt">When the manager issued it.</param>
/// <param name="ExpiresAt">When it stops being worth running.</param>
public sealed record FleetCommand(string AgentId, string Kind, ReadOnlyMemory<byte> Payload, string Id, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// Publishes commands to the command stream and waits for JetStream's acknowledgement, retrying (with the same id, so
/// never twice) for as long as NATS is unreachable: the caller's alert stays unconfirmed, and its file position unsaved,
/// until the command is stored.
/// </summary>
public sealed class CommandPublisher
{
    private readonly INatsJSContext _js;
    private readonly string _manager;
    private readonly ILogger _logger;
    private int _outage;

    /// <summary>A publisher for manager <paramref name="manager"/> (its node name, sent in a header).</summary>
    public CommandPublisher(INatsJSContext js, string manager, ILogger logger)
    {
        _js = js;
        _manager = manager;
        _logger = logger;
    }

    /// <summary>Stores <paramref name="command"/>; returns true when NATS already had it (a duplicate id).</summary>
    /// <exception cref="OperationCanceledException">Given up before NATS stored it.</exception>
    public async Task<bool> PublishAsync(FleetCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var headers = new NatsHeaders
        {
            [FleetNames.KindHeader] = command.Kind,
            [FleetNames.IssuedHeader] = command.IssuedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            [FleetNames.ExpiresHeader] = command.ExpiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            [FleetNames.ManagerHeader] = _manager,
        };
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                var ack = await _js.PublishAsync(FleetNames.CommandSubject(command.AgentId), command.Payload.ToArray(),
                    opts: new NatsJSPubOpts { MsgId = command.Id }, headers: headers, cancellationToken: cancellationToken).ConfigureAwait(false);
                ack.EnsureSuccess();
                if (Interlocked.Exchange(ref _outage, 0) != 0)
                {
                    _logger.LogInformation("NATS stores commands again");
                }

                return ack.Duplicate;
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                if (Interlocked.Exchange(ref _outage, 1) == 0)
                {
                    _logger.LogWarning("NATS did not store a command for agent {Agent} ({Error}); holding alerts and retrying until it does",
                        command.AgentId, ex.Message);
                }

                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }
}
