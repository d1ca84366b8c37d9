using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Riposte.Cli.Daemon;

/// <summary>Talks to a running daemon's control socket; null when no daemon listens there.</summary>
internal static class ControlClient
{
    public static async Task<ControlReply?> TrySendAsync(string socketPath, ControlRequest request, CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
        {
            return null;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // A stale socket file: the daemon is not running.
            return null;
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(request, ControlJson.Default.ControlRequest);
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        stream.WriteByte((byte)'\n');
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        return line is null ? null : JsonSerializer.Deserialize(line, ControlJson.Default.ControlReply);
    }
}
