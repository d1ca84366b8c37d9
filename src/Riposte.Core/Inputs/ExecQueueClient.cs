using System.Net.Sockets;

namespace Riposte.Inputs;

/// <summary>Sends a message to an exec queue as analysisd and agentd do: one datagram, no terminator.</summary>
public static class ExecQueueClient
{
    /// <summary>
    /// Sends <paramref name="body"/> as one datagram to <paramref name="socketPath"/>. Throws
    /// <see cref="IOException"/> when nothing is listening there. Bodies longer than
    /// <see cref="ExecQueueListener.MaxMessageBytes"/> are sent whole; the receiver flags them as truncated.
    /// </summary>
    public static async ValueTask SendAsync(string socketPath, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The exec queue is a Unix datagram socket.");
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            await socket.SendToAsync(body, SocketFlags.None, new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        // No socket file (ENOENT, reported as AddressNotAvailable) or a file nobody is bound to (ECONNREFUSED).
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            throw new IOException($"Nothing is listening on exec queue '{socketPath}': {e.Message}", e);
        }
    }
}
