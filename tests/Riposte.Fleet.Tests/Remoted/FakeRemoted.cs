using System.Net.Sockets;

namespace Riposte.Fleet.Remoted;

/// <summary>Stands in for wazuh-remoted: a Unix datagram socket bound at <c>queue/alerts/ar</c> in a temp directory.</summary>
internal sealed class FakeRemoted : IDisposable
{
    private readonly DirectoryInfo _directory;
    private Socket? _socket;

    public FakeRemoted(bool bind = true)
    {
        _directory = Directory.CreateTempSubdirectory("riposte-remoted-");
        Path = System.IO.Path.Combine(_directory.FullName, "ar");
        if (bind)
        {
            Bind();
        }
    }

    public string Path { get; }

    public void Bind()
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
        _socket.ReceiveTimeout = 5000;
    }

    /// <summary>remoted going away: the socket closed and its file removed.</summary>
    public void Unbind()
    {
        _socket?.Dispose();
        _socket = null;
        File.Delete(Path);
    }

    /// <summary>The next datagram, whole (remoted reads up to 65535 bytes; the buffer is larger so a cut would show).</summary>
    public byte[] Receive()
    {
        var buffer = new byte[256 * 1024];
        var n = _socket!.Receive(buffer);
        return buffer[..n];
    }

    /// <summary>Whether a datagram is waiting.</summary>
    public bool HasPending => _socket!.Available > 0;

    public void Dispose()
    {
        _socket?.Dispose();
        _directory.Delete(true);
    }
}

/// <summary>
/// wazuh-remoted's <c>AR_Forward</c> parsing (spec §4.2 step 2), written from the spec independently of
/// <see cref="RemotedFraming"/>: first ')', skip 2; next ']', skip 2; three flag characters; skip 2; the agent id up
/// to the next space; the rest is the body.
/// </summary>
internal static class ArForward
{
    public sealed record Request(string Flags, string AgentId, byte[] Body);

    public static Request? Parse(byte[] datagram)
    {
        var close = Array.IndexOf(datagram, (byte)')');
        if (close < 0)
        {
            return null;
        }

        var bracket = Array.IndexOf(datagram, (byte)']', close + 2);
        if (bracket < 0)
        {
            return null;
        }

        var flagsAt = bracket + 2;

        // remoted steps over the three flags one by one, then 2 from the third: the id starts 4 after the first flag.
        var idAt = flagsAt + 4;
        var space = Array.IndexOf(datagram, (byte)' ', idAt);
        if (space < 0 || flagsAt + 3 > datagram.Length)
        {
            return null;
        }

        return new Request(
            System.Text.Encoding.ASCII.GetString(datagram, flagsAt, 3),
            System.Text.Encoding.ASCII.GetString(datagram, idAt, space - idAt),
            datagram[(space + 1)..]);
    }
}
