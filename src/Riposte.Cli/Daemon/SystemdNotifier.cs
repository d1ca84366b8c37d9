using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Riposte.Cli.Daemon;

/// <summary>
/// <c>sd_notify(3)</c> without libsystemd or the Generic Host: one datagram per state change to the unix socket systemd
/// names in <c>NOTIFY_SOCKET</c>, so a <c>Type=notify</c> unit knows when the daemon is ready, reloading or stopping.
/// Without <c>NOTIFY_SOCKET</c> (not started by systemd) every call does nothing.
/// </summary>
/// <remarks>
/// A failed send is logged once and otherwise ignored: systemd's notification is a courtesy to the service manager
/// and must never stop the engine. Response programs inherit <c>NOTIFY_SOCKET</c>, but systemd's default
/// <c>NotifyAccess=main</c> ignores datagrams from any process other than the daemon's.
/// </remarks>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;
    private readonly ILogger _logger;
    private int _failureReported;

    private SystemdNotifier(Socket? socket, UnixDomainSocketEndPoint? endpoint, ILogger logger)
    {
        _socket = socket;
        _endpoint = endpoint;
        _logger = logger;
    }

    /// <summary>True when systemd (or a test) asked for notifications.</summary>
    public bool Enabled => _socket is not null;

    /// <summary>A notifier for the socket in <c>NOTIFY_SOCKET</c>; a disabled one when it is unset or unusable.</summary>
    public static SystemdNotifier FromEnvironment(ILogger logger)
    {
        var path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path) || (path[0] != '/' && path[0] != '@'))
        {
            // Unset, or a vsock address (systemd 253+ for VMs), which this minimal client does not speak.
            return new SystemdNotifier(null, null, logger);
        }

        try
        {
            // '@' names a socket in the abstract namespace, which UnixDomainSocketEndPoint spells with a leading NUL.
            var endpoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
            return new SystemdNotifier(new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified), endpoint, logger);
        }
        catch (Exception ex) when (ex is ArgumentException or SocketException)
        {
            logger.LogWarning("NOTIFY_SOCKET={Path} cannot be used ({Error}); systemd will not hear that Riposte is ready", path, ex.Message);
            return new SystemdNotifier(null, null, logger);
        }
    }

    /// <summary><c>READY=1</c>: inputs are open and overdue deletes are scheduled (also sent after a reload).</summary>
    public void Ready(string status) => Send($"READY=1\nSTATUS={OneLine(status)}\nMAINPID={Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>
    /// <c>RELOADING=1</c> with the monotonic time systemd 253+ requires for it (older versions ignore the field); end the
    /// reload with <see cref="Ready"/>.
    /// </summary>
    public void Reloading() =>
        Send($"RELOADING=1\nSTATUS=Reloading the configuration\nMONOTONIC_USEC={MonotonicMicroseconds().ToString(CultureInfo.InvariantCulture)}");

    /// <summary><c>STOPPING=1</c>: a stop was requested; running programs are finishing.</summary>
    public void Stopping() => Send("STOPPING=1\nSTATUS=Stopping: running programs finish, active responses are kept");

    /// <inheritdoc />
    public void Dispose() => _socket?.Dispose();

    private void Send(string message)
    {
        if (_socket is null)
        {
            return;
        }

        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(message), SocketFlags.None, _endpoint!);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // A late signal after the daemon finished, or systemd went away: nothing to tell any more.
            if (ex is SocketException && Interlocked.Exchange(ref _failureReported, 1) == 0)
            {
                _logger.LogWarning("Cannot notify systemd ({Error})", ex.Message);
            }
        }
    }

    private static string OneLine(string text) => text.Replace('\n', ' ');

    // Stopwatch is CLOCK_MONOTONIC on Linux, the clock systemd compares MONOTONIC_USEC with.
    private static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));
}
