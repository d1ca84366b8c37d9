using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Riposte.Fleet.Remoted;

/// <summary>How a send to remoted's queue ended.</summary>
public enum RemotedSendStatus
{
    /// <summary>The datagram is in remoted's socket buffer (which is all Wazuh ever knows: remoted does not answer).</summary>
    Sent,

    /// <summary>The queue could not be opened (remoted not running, wrong path, no permission): Wazuh's <c>(1210)</c>.</summary>
    Unreachable,

    /// <summary>The send failed or timed out after one second (remoted stuck or gone): Wazuh's <c>(1321)</c>.</summary>
    Failed,
}

/// <summary>The outcome of one <see cref="RemotedQueueSender.Send"/>.</summary>
/// <param name="Status">Sent, unreachable or failed.</param>
/// <param name="Error">What went wrong, for the audit trail; null when sent.</param>
public sealed record RemotedSendResult(RemotedSendStatus Status, string? Error)
{
    /// <summary>The datagram was handed to remoted.</summary>
    public static RemotedSendResult Sent { get; } = new(RemotedSendStatus.Sent, null);

    /// <summary>True when <see cref="Status"/> is <see cref="RemotedSendStatus.Sent"/>.</summary>
    public bool IsSent => Status == RemotedSendStatus.Sent;
}

/// <summary>
/// The client side of wazuh-remoted's active-response queue (<c>queue/alerts/ar</c>, a Unix datagram socket remoted
/// binds), behaving as analysisd 4.14.9's <c>send_exec_msg</c>: connect on first use, a 1 s send timeout, sends
/// serialized; on a failed send the socket is closed and opened again on the next send. A failure never throws: it is
/// logged with Wazuh's message and returned, and the datagram is not retried (Wazuh drops it too, Q15).
/// </summary>
public sealed class RemotedQueueSender : IDisposable
{
    /// <summary>analysisd's <c>EXEC_SEND_TIMEOUT_S</c>: how long a send may wait for remoted to drain its queue.</summary>
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Socket? _socket;
    private bool _unreachableLogged;
    private bool _disposed;

    /// <summary>A sender for <paramref name="socketPath"/>; nothing is opened until the first <see cref="Send"/>.</summary>
    /// <param name="socketPath">The queue, e.g. <c>/var/ossec/queue/alerts/ar</c>.</param>
    /// <param name="logger">Where Wazuh's queue messages go.</param>
    public RemotedQueueSender(string socketPath, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        SocketPath = Path.GetFullPath(socketPath);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The queue's path, made absolute.</summary>
    public string SocketPath { get; }

    /// <summary>
    /// Sends one datagram (see <see cref="RemotedFraming"/>). Blocks at most about <see cref="SendTimeout"/>; safe to
    /// call from several threads (sends are one at a time, as in analysisd).
    /// </summary>
    public RemotedSendResult Send(ReadOnlySpan<byte> datagram)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_socket is null && Connect() is { } unreachable)
            {
                return unreachable;
            }

            try
            {
                _socket!.Send(datagram, SocketFlags.None);
                return RemotedSendResult.Sent;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (e is SocketException { SocketErrorCode: SocketError.WouldBlock or SocketError.TimedOut or SocketError.NoBufferSpaceAvailable })
                {
                    _logger.LogError("(1322): Socket busy.");
                }

                CloseSocket();
                _logger.LogError("(1321): Error communicating with queue '{Queue}'.", SocketPath);
                return new RemotedSendResult(RemotedSendStatus.Failed, $"Error communicating with queue '{SocketPath}': {e.Message}");
            }
        }
    }

    /// <summary>Closes the socket; later sends throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            CloseSocket();
        }
    }

    /// <summary>Opens the queue; on failure logs (1210) once until a connect succeeds, and returns the failure.</summary>
    private RemotedSendResult? Connect()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(SocketPath));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            var reason = $"Queue '{SocketPath}' not accessible: '{e.Message}'";
            if (!_unreachableLogged)
            {
                _logger.LogError("(1210): Queue '{Queue}' not accessible: '{Reason}'", SocketPath, e.Message);
                _unreachableLogged = true;
            }

            return new RemotedSendResult(RemotedSendStatus.Unreachable, reason);
        }

        try
        {
            socket.SendTimeout = (int)SendTimeout.TotalMilliseconds;
            if (socket.SendBufferSize < RemotedFraming.MaxMessageBytes)
            {
                // A full-size message must fit in one datagram.
                socket.SendBufferSize = RemotedFraming.MaxMessageBytes;
            }
        }
        catch (SocketException e)
        {
            // analysisd does not use a queue it could not bound in time: a stuck remoted would stall every alert.
            socket.Dispose();
            _logger.LogError("(1323): Cannot set send timeout on queue '{Queue}': {Reason} ({Code})", SocketPath, e.Message, e.ErrorCode);
            return new RemotedSendResult(RemotedSendStatus.Unreachable, $"Cannot set send timeout on queue '{SocketPath}': {e.Message}");
        }

        _unreachableLogged = false;
        _socket = socket;
        return null;
    }

    private void CloseSocket()
    {
        _socket?.Dispose();
        _socket = null;
    }
}
